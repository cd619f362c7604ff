# Blisko. The two commands a newcomer needs: `make demo` and `make test` (see README.md).
PORT ?= 8000
PY := .venv/bin/python
export DJANGO_SETTINGS_MODULE ?= config.settings.local
# Links in e-mails and calendar feeds name the address the demo is served on.
export BLISKO_SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: demo serve test bench soak lint format messages clean-demo

demo:  ## Install what is missing, load the demo data, serve on http://127.0.0.1:$(PORT)
	scripts/setup.sh demo
	mkdir -p var
	$(PY) manage.py migrate -v0
	$(PY) manage.py demo_load
	$(MAKE) --no-print-directory serve

serve:  ## Serve an existing demo on http://127.0.0.1:$(PORT) with gunicorn (config/gunicorn.conf.py)
	$(PY) manage.py collectstatic --noinput -v0
	@echo "Blisko: http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@echo "gunicorn on 127.0.0.1 only: put nginx or any TLS proxy in front (README, Running it in production)"
	PORT=$(PORT) DJANGO_DEBUG=$${DJANGO_DEBUG:-0} .venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi

test:  ## Lint, migrations check, the suite on SpatiaLite and PostGIS, browser tests
	scripts/test.sh

bench:  ## Benchmarks (not part of `make test`); results in bench/results/
	scripts/bench.sh

soak:  ## 10 minutes of mixed traffic on gunicorn + PostGIS with a PostgreSQL restart (SOAK_SECONDS=60 to shorten)
	scripts/setup.sh bench
	.venv/bin/python bench/soak.py

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy && .venv/bin/lint-imports --no-cache

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

messages:  ## Refresh locale/*/LC_MESSAGES/django.po from the code
	$(PY) manage.py makemessages -l uk -l pl -l en --ignore=.venv --ignore=bench --no-obsolete
	$(PY) manage.py makemessages -d djangojs -l uk -l pl -l en --ignore=.venv --ignore=staticfiles --no-obsolete

clean-demo:  ## Remove the demo database and uploaded files
	rm -rf var/
