"""Legal-element analysis as a legal analyst reads it: which elements are evidenced, by which acts and
graded sources, which are missing, not required for a child, uncertain, or left to the situation."""

import datetime as dt
import json

import pytest

from redzone.errors import NotFound, PermissionDenied, ValidationError
from redzone.legal import analyse_person, record_situation_element
from redzone.records.entry import (ActDetails, AttestationSpec, PerpetratorSpec, add_act, add_event, add_group,
                                   add_organisation, add_person, add_source)
from redzone.records.identity import Identity

SEALED_MARKER = "Synthetic Sealed Name 9Q"


class Record:
    """A small synthetic case built through the recording service functions."""

    def __init__(self, ctx, born=(2000, 2000)):
        self.ctx = ctx
        self.victim = add_person(ctx, sex="female", birth_year_min=born[0], birth_year_max=born[1],
                                 identity=Identity(legal_name=SEALED_MARKER))
        self.source = add_source(ctx, kind="interview", reliability="B", credibility=2, interviewee=self.victim,
                                 text=f"{SEALED_MARKER} told us what happened (synthetic).")

    def act(self, violation, year=2016, sources=None, group=None, role="broker", precision="month"):
        event = add_event(ctx=self.ctx, kind="other", place_id="cn.jilin.yanbian.yanji",
                          date_start=dt.date(year, 5, 1) if year else None,
                          date_precision=precision if year else "unknown")
        details = ActDetails(attestations=[AttestationSpec(s) for s in (sources or [self.source])],
                             perpetrators=[PerpetratorSpec(role, group=group)] if group else [])
        return add_act(self.ctx, victim=self.victim, violation=violation, event=event, details=details)

    def analysis(self):
        return analyse_person(self.ctx.session, self.victim.code, actor=self.ctx.actor)


def statuses(analysis, provision_id):
    return {e.id.rsplit(".", 1)[-1]: e.status for e in analysis.provision(provision_id).elements}


def test_girl_of_16_sold_into_prostitution_is_trafficked_without_means(context_for):
    with context_for("interviewer") as ctx:
        case = Record(ctx, born=(2000, 2000))
        sale = case.act("trafficking.sale", 2016)
        prostitution = case.act("sexual.forced_prostitution", 2016)
        result = case.analysis()
    trafficking = result.provision("untp.art3")
    assert trafficking.satisfied and statuses(result, "untp.art3") == {
        "act": "evidenced", "means": "not_required", "purpose": "evidenced"}
    means = result.element("untp.art3.means")
    assert "under 18" in means.reason and "aged 15–16" in means.reason
    assert result.element("untp.art3.act").acts == (sale.code,)
    assert result.element("untp.art3.purpose").acts == (prostitution.code,)
    assert [(s.code, s.grade) for s in result.element("untp.art3.purpose").sources] == [(case.source.code, "B2")]
    assert result.acts[0].date == "2016-05" and result.acts[0].place == "Yanji"
    text = json.dumps(result.to_dict(), ensure_ascii=False)
    assert SEALED_MARKER not in text and '"grade": "B2"' in text


def test_adult_sold_with_no_exploitation_recorded_lacks_the_purpose(context_for):
    with context_for("interviewer") as ctx:
        case = Record(ctx, born=(1990, 1990))
        case.act("trafficking.sale", 2016)
        result = case.analysis()
    trafficking = result.provision("untp.art3")
    assert statuses(result, "untp.art3") == {"act": "evidenced", "means": "evidenced", "purpose": "missing"}
    assert trafficking.outcome == "not_satisfied" and "missing: purpose" in trafficking.reason
    purpose = result.element("untp.art3.purpose")
    assert "marriage.forced" in purpose.reason and "sexual.forced_prostitution" in purpose.reason
    assert "18 or older" in trafficking.reason


def test_deception_supplies_the_means_for_an_adult(context_for):
    with context_for("interviewer") as ctx:
        case = Record(ctx, born=(1990, 1990))
        case.act("trafficking.transport", 2015)
        case.act("labour.forced", 2015)
        before = case.analysis()
        deception = case.act("trafficking.deceptive_recruitment", 2015)
        after = case.analysis()
    assert statuses(before, "untp.art3")["means"] == "missing"
    assert "must be shown" in before.element("untp.art3.means").reason
    assert not before.provision("untp.art3").satisfied
    assert after.element("untp.art3.means").acts == (deception.code,)
    assert after.provision("untp.art3").satisfied


@pytest.mark.parametrize("born, year, expected", [
    ((1999, 2001), 2017, "either side of 18"),    # 15 to 18 at the time
    ((None, None), 2017, "birth year is not recorded"),
    ((2000, 2000), None, "date of the act is unknown"),
])
def test_an_uncertain_age_is_said_with_its_reason(context_for, born, year, expected):
    with context_for("interviewer") as ctx:
        case = Record(ctx, born=born)
        case.act("trafficking.transport", year)
        case.act("marriage.forced", year)
        result = case.analysis()
    means = result.element("untp.art3.means")
    assert means.status == "uncertain" and expected in means.reason
    assert result.provision("untp.art3").outcome == "uncertain"


def test_an_uncertain_age_does_not_matter_when_the_means_is_shown(context_for):
    with context_for("interviewer") as ctx:
        case = Record(ctx, born=(1998, 2001))
        case.act("trafficking.sale", 2017)
        case.act("marriage.forced", 2017)
        result = case.analysis()
    means = result.element("untp.art3.means")
    assert means.status == "evidenced" and "would not be needed for a child" in means.reason
    assert result.provision("untp.art3").satisfied


def test_corroboration_counts_independent_lines_not_sources(context_for):
    with context_for("interviewer") as ctx:
        for org in ("ngo-a", "ngo-b", "ngo-c"):
            add_organisation(ctx, org, f"Synthetic {org}")
        case = Record(ctx)
        # The same survivor told two organisations; a third published its own report.
        first = add_source(ctx, kind="interview", reliability="B", credibility=2, organisation_id="ngo-a",
                           interviewee=case.victim)
        second = add_source(ctx, kind="interview", reliability="C", credibility=3, organisation_id="ngo-b",
                            interviewee=case.victim)
        report = add_source(ctx, kind="ngo_report", reliability="A", credibility=1, organisation_id="ngo-c")
        act = case.act("trafficking.sale", sources=[first, second, report])
        result = case.analysis()
    reference = next(a for a in result.acts if a.code == act.code)
    assert reference.independent_sources == 2
    assert [(s.code, s.grade, s.independent) for s in reference.sources] == [
        (report.code, "A1", True), (first.code, "B2", False), (second.code, "C3", False)]
    assert reference.sources[1].line == reference.sources[2].line != reference.sources[0].line


def test_crimes_against_humanity_wait_for_situation_findings(context_for):
    with context_for("interviewer") as ctx:
        border_post = add_group(ctx, name="Synthetic border guard post", kind="border_guard_post")
        other_post = add_group(ctx, name="Another synthetic post", kind="border_guard_post")
        case = Record(ctx)
        case.act("detention.arbitrary", 2018, group=border_post, role="border_guard")
        case.act("refoulement.forced_repatriation", 2018, group=border_post, role="border_guard")
        elsewhere = Record(ctx)
        elsewhere.act("detention.arbitrary", 2018, group=other_post, role="border_guard")
        before = case.analysis()
        report = add_source(ctx, kind="official_document", reliability="A", credibility=2)
    assert before.provision("rome.art7_1_e").outcome == "needs_context"
    assert set(statuses(before, "rome.art7_context").values()) == {"situation_level"}
    assert statuses(before, "refugee.art33") == {"return": "evidenced", "threat": "situation_level"}
    assert before.provision("rome.art7_context").required_by == ("rome.art7_1_e",)

    with context_for("legal") as ctx:
        for element in ("rome.art7_context.attack", "rome.art7_context.policy"):
            record_situation_element(ctx, element, sources=[report.code], note="synthetic finding")
        record_situation_element(ctx, "rome.art7_context.knowledge", sources=[report.code], group=border_post.code)
        after = analyse_person(ctx.session, case.victim.code, actor=ctx.actor)
        other = analyse_person(ctx.session, elsewhere.victim.code, actor=ctx.actor)
        with pytest.raises(ValidationError) as raised:
            record_situation_element(ctx, "untp.art3.act", sources=["SRC-NOSUCH"], group="GRP-NOSUCH")
    assert {p.field for p in raised.value.problems} == {"element", "sources", "group"}
    assert after.provision("rome.art7_1_e").satisfied
    knowledge = after.element("rome.art7_context.knowledge")
    assert knowledge.recorded_for == (f"group {border_post.code}",) and knowledge.sources[0].grade == "A2"
    assert other.element("rome.art7_context.knowledge").status == "situation_level"
    assert other.provision("rome.art7_1_e").outcome == "needs_context"


def test_who_may_see_and_record_the_analysis(context_for):
    with context_for("interviewer") as ctx:
        case = Record(ctx)
        case.act("trafficking.sale")
        code = case.victim.code
        source = case.source.code
    with context_for("analyst") as ctx:
        assert analyse_person(ctx.session, code, actor=ctx.actor).provision("untp.art3")
        with pytest.raises(PermissionDenied):
            record_situation_element(ctx, "rome.art7_context.attack", sources=[source])
        with pytest.raises(NotFound):
            analyse_person(ctx.session, "RZ-NOSUCH", actor=ctx.actor)
    with context_for("public") as ctx, pytest.raises(PermissionDenied):
        analyse_person(ctx.session, code, actor=ctx.actor)


def test_a_person_without_acts_is_said_to_have_nothing_to_analyse(context_for):
    with context_for("interviewer") as ctx:
        case = Record(ctx)
        result = case.analysis()
    assert result.provisions == () and "nothing to analyse" in result.notes[0]
