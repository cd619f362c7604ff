"""The evaluation in plain sentences (translated), from its JSON: the verdict, the local
effect against the control, and what the displacement quotient says."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from blisko.plans import evaluation as e


def _pct(ratio: float | None) -> str:
    if ratio is None:
        return "—"
    value = (ratio - 1) * 100
    return f"{value:+.0f} %".replace("-", "−")


def verdict_sentences(evaluation: dict[str, Any]) -> list[str]:
    v = evaluation["verdict"]
    n = v["counts"]
    out: list[str] = []
    kind = v["kind"]
    if kind == e.TOO_FEW:
        out.append(
            _(
                "Too few events to judge: %(during)s during the plan and %(before)s before it "
                "(at least %(min)s in each are needed)."
            )
            % {"during": n["a_during"], "before": n["a_before"], "min": e.MIN_EVENTS}
        )
    else:
        change = v["change"]
        numbers = {
            "change": _pct(change["ratio"]),
            "before": n["a_before"],
            "during": n["a_during"],
            "low": _pct(change["low"]),
            "high": _pct(change["high"]),
            "goal": f"{v['goal_percent']:+.0f} %".replace("-", "−"),
        }
        text = {
            e.GOAL_MET: _(
                "Goal met: the events changed by %(change)s (from %(before)s to %(during)s; 95%% "
                "interval %(low)s to %(high)s) against a goal of %(goal)s."
            ),
            e.IMPROVED: _(
                "Better, but short of the goal: the events changed by %(change)s (from "
                "%(before)s to %(during)s; 95%% interval %(low)s to %(high)s) against a goal of "
                "%(goal)s."
            ),
            e.NO_CLEAR_CHANGE: _(
                "No clear change: %(change)s (from %(before)s to %(during)s; the 95%% interval "
                "%(low)s to %(high)s holds no change); the goal was %(goal)s."
            ),
            e.WORSE: _(
                "Worse: the events changed by %(change)s (from %(before)s to %(during)s; 95%% "
                "interval %(low)s to %(high)s) against a goal of %(goal)s."
            ),
        }[kind]
        out.append(text % numbers)
    did = v.get("did")
    control = v.get("control_change")
    if did and control:
        numbers = {"control": _pct(control["ratio"]), "did": _pct(did["ratio"])}
        if did["high"] < 1:
            out.append(
                _(
                    "The rest of the area around changed by %(control)s in the same time, so the "
                    "local effect is %(did)s: the place did clearly better than its surroundings."
                )
                % numbers
            )
        elif did["low"] > 1:
            out.append(
                _(
                    "The rest of the area around changed by %(control)s in the same time, so the "
                    "place did clearly worse than its surroundings (%(did)s)."
                )
                % numbers
            )
        else:
            out.append(
                _(
                    "The rest of the area around changed by %(control)s in the same time: the "
                    "place's change is not clearly different from the general trend (%(did)s)."
                )
                % numbers
            )
    wdq = v.get("wdq")
    words = {
        e.WDQ_NOT_READ: _(
            "Displacement is not measured: the place did not improve against the control."
        ),
        e.WDQ_DIFFUSION_BEYOND: _(
            "The ring around the place improved even more than the place (WDQ %(wdq)s > 1): "
            "a diffusion of benefits beyond the direct effect."
        ),
        e.WDQ_DIFFUSION: _(
            "The ring around the place improved too (WDQ %(wdq)s between 0 and 1): a diffusion "
            "of benefits, no displacement."
        ),
        e.WDQ_NEITHER: _("The ring around the place did not change (WDQ 0): no displacement."),
        e.WDQ_DISPLACEMENT: _(
            "Some events moved into the ring around the place (WDQ %(wdq)s between −1 and 0), "
            "fewer than the place gained: a net benefit."
        ),
        e.WDQ_DISPLACEMENT_BEYOND: _(
            "More events moved into the ring around the place than the place gained (WDQ "
            "%(wdq)s below −1): worse overall."
        ),
    }
    out.append(words[v["wdq_kind"]] % {"wdq": f"{wdq:.2f}" if wdq is not None else ""})
    return out
