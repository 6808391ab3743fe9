"""The Account Engagement API's part of the scoring model (origin "account engagement api").

The API lists which Engagement Studio programs exist and whether they run, and which forms and
form handlers exist; it says nothing of completion actions, automation rules, scoring rules or
grading profiles. So the API's part is reconciled with the scoring model file rather than
simply added beside it:

- A program the file documents takes its running state from the API, the live truth; the file
  keeps what only it knows (the Lead Status nurtured, the re-engagement wait). When both agree
  the file's record is kept as it is, so a live audit finds exactly what the file audit finds.
- A program the file does not document is added when its name says it nurtures (nurture,
  drip, re-engagement, recycle): other programs (onboarding, event follow-up) must not pass for
  a nurture program.
- A form the file documents stays the file's (its completion actions are known only there). A
  form the file does not document is added as not a hand-raiser: the API cannot say what it
  does on completion, and a hand-raiser judged on nothing would be judged wrongly.

The part claims its origin only beside a scoring model file: without one, the model holds no
automation rules or grading profiles from anywhere, and the rules that look for them must stay
not applicable rather than read the API's silence as their absence.
"""

from __future__ import annotations

import dataclasses

from auditor.model import AccountEngagement, EngagementProgram
from auditor.scoring.model import Form, NurtureProgram, Origin, ScoringModel

ORIGIN: Origin = "account engagement api"
NURTURE_WORDS = ("nurtur", "drip", "re-engag", "reengag", "recycl")
PROGRAMS_OBJECT = "engagement-studio-programs"


def looks_like_nurture(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in NURTURE_WORDS)


def _live(program: EngagementProgram, documented: NurtureProgram | None) -> NurtureProgram:
    return NurtureProgram(
        name=documented.name if documented else program.name,
        active=program.running,
        status=documented.status if documented else None,
        re_engagement_days=documented.re_engagement_days if documented else None,
        origin=ORIGIN,
        source=program.source,
    )


def reconcile(engagement: AccountEngagement, documented: ScoringModel | None) -> tuple[ScoringModel | None, ScoringModel]:
    """The documented part with the programs' live state, and the API's own part."""
    programs_read = not any(PROGRAMS_OBJECT in item for item in engagement.unavailable)
    live = {p.name.casefold(): p for p in engagement.programs} if programs_read else {}
    file_programs = documented.nurture_programs if documented else ()
    file_forms = {f.name.casefold() for f in documented.forms} if documented else set()

    revised: list[NurtureProgram] = []
    for program in file_programs:
        found = live.get(program.name.casefold())
        revised.append(program if found is None or found.running == program.active else _live(found, program))
    documented_names = {p.name.casefold() for p in file_programs}
    added_programs = tuple(
        _live(p, None) for p in engagement.programs
        if programs_read and p.name.casefold() not in documented_names and looks_like_nurture(p.name)
    )
    added_forms = tuple(
        Form(name=f.name, hand_raiser=False, completion_actions=(), origin=ORIGIN, source=f.source)
        for f in engagement.forms if f.name.casefold() not in file_forms
    )
    part = ScoringModel(forms=added_forms, nurture_programs=added_programs,
                        origins=(ORIGIN,) if documented is not None else ())
    if documented is None:
        return None, part
    return dataclasses.replace(documented, nurture_programs=tuple(revised)), part
