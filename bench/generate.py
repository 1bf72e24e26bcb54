#!/usr/bin/env python3
"""Writes a synthetic pilotscope portfolio for benchmarks.

    python3 bench/generate.py --count 10000 --seed 1 bench/out/gen-10000
    python3 bench/generate.py --count 10000 --seed 1 --hugo bench/out/hugo-10000 bench/out/gen-10000
    python3 bench/generate.py --count 10000 --seed 1 --zola bench/out/zola-10000 bench/out/gen-10000

The output folder becomes a pilotscope project: `pilotscope.toml` and
`content/<area>/<slug>.md`, one dossier per pilot. Answers vary the way a real
portfolio does: every stage, a latent "discipline" per pilot that decides how
many questions are answered and how well (so every verdict occurs), mostly YAML
front matter with some TOML and JSON, unknown team keys, the odd misspelled key
(a warning) and about one dossier in 200 with a wrong shape (an error page).
Each body is ~500 words of markdown with headings, lists, a table and links,
and ends with a line `Revision 0.` that `bench/edit.py` bumps to make a visible
edit.

With `--hugo DIR` it also writes a minimal Hugo project holding the same
bodies (`content/pilots/<area>/<slug>.md` with title front matter and one
layout file), for the comparison in `bench/run.sh`. With `--zola DIR` it
writes the same bodies as a minimal Zola site: one section
(`content/pilots/_index.md`, pages `content/pilots/<area>-<slug>.md` with
title front matter), three one-line templates, and no taxonomies, feeds,
sitemap listing, search index or Sass.

Python 3.11 standard library only. The same seed and count give the same
bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys

AREAS = {
    "finance": ("finance", ["Accounts payable", "Accounts receivable", "Treasury", "Financial planning", "Tax", "Billing"]),
    "operations": ("manufacturing", ["Press shop", "Assembly line 2", "Quality", "Maintenance", "Production planning", "Paint shop"]),
    "logistics": ("logistics", ["Dispatch", "Warehouse", "Fleet", "Customs", "Returns", "Inbound"]),
    "sales": ("distribution", ["Branch counters", "Trade sales", "Pricing", "Key accounts", "E-commerce", "Quotes"]),
    "service": ("professional services", ["Client services", "Contracts", "Engagement delivery", "Knowledge management", "Resourcing"]),
    "people": ("financial services", ["HR operations", "Payroll", "Recruitment", "Learning", "Health and safety"]),
    "risk": ("financial services", ["Credit", "Fraud", "Compliance", "Collections", "Underwriting"]),
    "procurement": ("manufacturing", ["Sourcing", "Supplier quality", "Purchasing", "Contract management"]),
}
COMPANIES = ["Northmoor Industrial Supply", "Northmoor Freight", "Northmoor Advisory", "Northmoor Leasing", "Northmoor Components", "Northmoor Group"]
SUBJECTS = [
    ("invoice", "invoices"), ("purchase order", "purchase orders"), ("delivery", "deliveries"), ("claim", "claims"),
    ("contract", "contracts"), ("work order", "work orders"), ("customer email", "customer emails"), ("quote", "quotes"),
    ("time entry", "time entries"), ("lease application", "lease applications"), ("supplier query", "supplier queries"),
    ("returns request", "returns requests"), ("inspection image", "inspection images"), ("credit note", "credit notes"),
    ("shipment", "shipments"), ("service ticket", "service tickets"), ("expense report", "expense reports"),
]
ACTIONS = [
    ("matching", "Suggests matches for"), ("triage", "Classifies and routes"), ("review", "Flags risky items among"),
    ("forecasting", "Forecasts volumes of"), ("extraction", "Reads key fields from"), ("scoring", "Scores"),
    ("drafting", "Drafts replies to"), ("scheduling", "Schedules the handling of"), ("checking", "Checks"),
    ("prediction", "Predicts delays in"), ("summaries", "Summarises"),
]
KINDS = ["assistant", "model", "copilot", "engine", "checker", "bot", "advisor", "pipeline"]
FIRST = ["Ruth", "Dana", "Sofia", "Ben", "Mei Lin", "Tomasz", "Aisha", "Oliver", "Priya", "Kasia", "Hugo", "Amara", "Jonas", "Fatima", "Liam", "Chloé", "Rafael", "Ingrid", "Kwame", "Yuki", "Siobhan", "Mateo", "Nadia", "Erik"]
LAST = ["Becker", "Ruiz", "Marchetti", "Ashworth", "Chow", "Nowak", "Okafor", "Hughes", "Patel", "Duda", "Lindqvist", "Mensah", "Weber", "Haddad", "O'Brien", "Dubois", "Costa", "Nilsen", "Asante", "Tanaka", "Kelly", "García", "Rahman", "Johansson"]
ROLES = ["director", "manager", "team leader", "lead", "head of operations", "controller", "supervisor"]
SPONSORS = ["Group CFO", "Chief operating officer", "Managing director", "Operations director", "Chief risk officer", "Group HR director", "Commercial director"]
CADENCES = ["weekly", "monthly", "quarterly", "every six weeks", "monthly, and after any process change"]
REFRESH = ["quarterly", "monthly", "twice a year", "quarterly, and after any change to master data", "after each month end"]
TAGS = ["finance", "documents", "erp", "telematics", "predictions", "customer-service", "quality", "vision", "billing", "risk", "hr", "procurement", "nlp", "forecasting", "maintenance", "email", "pricing", "compliance"]
UNITS = [("days", 2, 12, "lower"), ("%", 40, 95, "higher"), ("hours", 4, 48, "lower"), ("items a day", 200, 2000, "higher"), ("£ a month", 5000, 90000, "lower"), ("complaints a month", 20, 200, "lower")]
LINKS = [
    ("the process map", "https://wiki.example.com/process/{slug}"),
    ("the data audit", "https://wiki.example.com/data-audits/{slug}"),
    ("the steering group minutes", "https://intranet.example.com/steering/{slug}"),
    ("the vendor's notes", "https://docs.example.org/{slug}/notes"),
    ("the training plan", "https://learning.example.com/plans/{slug}"),
    ("the KPI dashboard", "https://bi.example.com/dashboards/{slug}"),
]
OPENERS = [
    "Before the pilot, {team} handled every {one} by hand and the backlog grew at each quarter end.",
    "{owner} asked for help with the {many} backlog rather than for an AI project, and that shaped what followed.",
    "The work started because {team} spent most of each week chasing {many} that should have been routine.",
    "A vendor demonstration in {year} showed that {many} could be handled faster, and the business asked for a trial.",
    "Volumes of {many} rose by a third in two years while the team that handles them stayed the same size.",
]
MIDDLE = [
    "The pilot ran for {months} months on {sample} from {sites} sites, including the awkward cases.",
    "The data audit found that {gap}, and the team fixed it before the pilot started instead of cleaning the sample.",
    "Users helped decide what a good result means and trained on their own backlog, not on a demo file.",
    "Suggestions appear in the screen people already use, so nobody has to switch windows to act on them.",
    "The vendor built the first version; two of our analysts now maintain the rules and the monthly refresh.",
    "Exceptions go to a queue with the reason shown, and the team leader clears that queue every morning.",
    "Accuracy on the labelled test set reached {acc}%, but the figure that matters is how much work leaves the queue.",
    "We measured the baseline for {weeks} weeks before the pilot, so the comparison is with real practice.",
    "The steering group meets every {cadence} to look at adoption by site and at the open issues.",
    "Nobody owned the model after the pilot team moved on, which is why governance is the open item now.",
    "Training used scenarios taken from last quarter's real {many}, including the ones that went wrong.",
    "Two sites still enter their data a day late, which is a process problem rather than a model problem.",
]
LESSONS = [
    "Agreeing the targets before the pilot started stopped the usual argument about whether the results were good enough.",
    "The exception queue matters more than the accuracy figure: people trust the tool because they can see why it hesitated.",
    "Clean sample data hid problems that appeared in the first week on real {many}.",
    "A named production owner made decisions in days that used to take a steering group a month.",
    "Users who helped set the criteria became the strongest advocates at the other sites.",
    "Technical metrics were reported to the board for too long; the business KPIs told a different story.",
    "The rollback switch was never used, but having it made the go-live decision much easier.",
    "Handing over from the vendor took twice as long as planned because nothing was written down.",
]
CLOSERS = [
    "Rollout to the remaining {sites} sites depends on the go / no-go decision due on {due}.",
    "The main risk is adoption at sites where the old way of working is still faster for experienced staff.",
    "The open question is who reviews the model's output once the project team moves on.",
    "Budget for the next phase is approved only if the business KPIs hold for another quarter.",
    "The team will present the results and the production plan to the steering group next month.",
]
GAPS = [
    "supplier ids differ between the two main ledgers", "a third of records have no cost centre",
    "scanned documents arrive without a reference number", "site codes changed in the last system upgrade",
    "timestamps are in local time at some sites and UTC at others", "free-text reasons are used instead of codes",
    "returns are recorded in a spreadsheet outside the ERP", "customer names are spelled differently across systems",
]
SAMPLES = ["a sample of real production records", "a historical extract", "curated records", "live data", "last year's records"]
STAGE_WEIGHTS = [("proposed", 15), ("pilot", 35), ("scaling", 15), ("production", 15), ("paused", 10), ("abandoned", 10)]
FORMAT_WEIGHTS = [("yaml", 80), ("toml", 12), ("json", 8)]


def weighted(rng: random.Random, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def day(rng: random.Random, start: dt.date, spread: int) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, spread))


class Pilot:
    """One pilot's answers, as a nested dict in the order of the format."""

    def __init__(self, rng: random.Random, n: int):
        self.area = rng.choice(list(AREAS))
        industry, units = AREAS[self.area]
        one, many = rng.choice(SUBJECTS)
        action, verb = rng.choice(ACTIONS)
        kind = rng.choice(KINDS)
        unit = rng.choice(units)
        company = rng.choice(COMPANIES)
        self.title = f"{one.capitalize()} {action} {kind} {n}"
        self.slug = f"{one.replace(' ', '-')}-{action}-{kind}-{n}"
        self.one, self.many = one, many
        self.stage = weighted(rng, STAGE_WEIGHTS)
        self.format = weighted(rng, FORMAT_WEIGHTS)
        # How disciplined the team is: drives how much is answered and how well.
        # A quarter of teams run their pilots by the book; the rest vary widely.
        q = rng.uniform(0.93, 1.0) if rng.random() < 0.25 else rng.betavariate(2.2, 1.6)
        if self.stage in ("production", "scaling"):
            q = min(1.0, q + 0.1)
        self.q = q

        def yes(p: float) -> bool:
            return rng.random() < p

        def answered(weight: float = 1.0) -> bool:
            return rng.random() < 0.25 + 0.75 * q * weight

        owner = person(rng)
        self.owner = owner
        started = day(rng, dt.date(2025, 1, 6), 560)
        before = lambda: started - dt.timedelta(days=rng.randint(1, 60))  # noqa: E731
        after = lambda: started + dt.timedelta(days=rng.randint(1, 90))  # noqa: E731
        on_time = lambda: before() if yes(q) else after()  # noqa: E731
        self.started = started
        self.due = started + dt.timedelta(days=rng.randint(60, 420))
        m: dict = {}
        m["title"] = self.title
        m["summary"] = f"{verb} {many} for {unit.lower()} at {company}"
        m["business_unit"] = f"{company}, {unit.lower()}"
        m["industry"] = industry
        m["stage"] = self.stage
        if self.stage != "proposed" or yes(0.3):
            m["started"] = started
        if answered():
            m["decision_due"] = self.due
        if answered():
            m["budget"] = rng.randrange(20_000, 900_000, 5_000)
        if yes(0.95):
            m["updated"] = day(rng, dt.date(2026, 5, 1), 200) if yes(0.6 + 0.4 * q) else day(rng, dt.date(2025, 6, 1), 300)
        m["assessed_by"] = f"{person(rng)}, {rng.choice(ROLES)}"
        m["tags"] = rng.sample(TAGS, rng.randint(1, 4))

        f: dict = {}
        if answered(1.1):
            f["production_owner"] = f"{owner}, {unit.lower()} {rng.choice(ROLES)}"
            if answered():
                f["owner_named_on"] = on_time()
        if answered():
            f["executive_sponsor"] = rng.choice(SPONSORS)
        f["led_by"] = "business" if yes(q) else rng.choice(["it", "vendor"])
        if answered():
            f["process_change"] = f"{unit} staff stop handling every {one} by hand and review only the {many} the {kind} cannot resolve with confidence"
        if answered(1.1):
            f["acceptance_criteria"] = rng.sample(
                [f"Cycle time for {many} under {rng.randint(2, 6)} days", f"No increase in errors on {many}", f"At least {rng.randint(70, 95)}% of {many} handled without rework", "Complaints below last year's level"],
                rng.randint(1, 3),
            )
        if answered():
            f["success_defined_as"] = "business_outcome" if yes(q) else rng.choice(["accuracy", "demo"])
        if answered():
            f["integration_plan"] = f"Results appear inside the existing {rng.choice(['ERP', 'CRM', 'ticketing', 'maintenance', 'practice management'])} screen"
        if answered(0.9):
            f["rollback_plan"] = "The manual queue stays live; a single setting switches the suggestions off per site"
        m["framing"] = f

        d: dict = {}
        if answered():
            d["source"] = rng.choice(["production", "production_sample"]) if yes(q) else rng.choice(["historical_extract", "curated", "synthetic"])
        if answered():
            d["includes_edge_cases"] = yes(q)
        share = lambda lo: round(min(1.0, max(0.0, rng.gauss(lo + 0.08 * q, 0.06))), 2)  # noqa: E731
        if answered():
            d["completeness"] = share(0.85)
        if answered():
            d["consistency"] = f"{round(share(0.8) * 100)}%" if yes(0.4) else share(0.8)
        if answered():
            d["exception_rate"] = round(max(0.0, rng.gauss(0.22 - 0.12 * q, 0.06)), 2)
        if answered(0.8):
            d["audited_on"] = on_time()
        if yes(0.6):
            d["known_gaps"] = [{"gap": g, "addressed": yes(q)} for g in rng.sample(GAPS, rng.randint(1, 3))]
        m["data"] = d

        g: dict = {}
        if answered():
            g["owner"] = owner
        if answered(0.9):
            g["reviewer"] = f"{person(rng)}, {rng.choice(['systems analyst', 'data analyst', 'quality lead', 'process owner'])}"
        if answered(0.8):
            g["review_cadence"] = rng.choice(CADENCES)
        if answered(0.9):
            g["exception_protocol"] = f"Low-confidence {many} go to the exception queue with a reason; the team leader clears it daily"
        if answered(0.8):
            g["refresh_cadence"] = rng.choice(REFRESH)
        if answered(0.7):
            g["defined_on"] = after()
        if f["led_by"] != "business" and answered():
            g["handoff_plan"] = "The vendor trains two internal analysts and documents the model before leaving"
        # A team's own spelling, now and then: a warning with a suggestion.
        if yes(0.01):
            g["reviwer"] = person(rng)
        m["governance"] = g

        c: dict = {}
        if answered():
            c["affected_roles"] = rng.sample([f"{unit} clerks", "Team leaders", "Site managers", "Analysts", "Drivers", "Agents"], rng.randint(1, 3))
        if answered():
            c["users_involved"] = yes(q)
        if answered():
            c["communicated_on"] = on_time()
        if answered():
            c["training"] = "real_scenarios" if yes(q) else rng.choice(["generic", "none"])
        if answered():
            c["escalation_path"] = "Team leader on duty, then the production owner"
        if answered():
            c["feedback_loop"] = yes(q)
        if self.stage != "proposed" and answered():
            rate = round(min(1.0, max(0.0, rng.gauss(0.35 + 0.45 * q, 0.12))), 2)
            c["adoption_rate"] = f"{round(rate * 100)}%" if yes(0.5) else rate
        m["change"] = c

        me: dict = {}
        t: dict = {}
        if answered():
            t["accuracy"] = round(min(0.99, rng.gauss(0.88, 0.05)), 2)
        if answered():
            t["exception_rate"] = round(max(0.0, rng.gauss(0.1, 0.04)), 2)
        if answered():
            t["throughput"] = f"{rng.randint(1, 40) * 50:,} {many} a day" if yes(0.7) else rng.randint(100, 5000)
        if t:
            me["technical"] = t
        if answered(1.1):
            kpis = []
            for _ in range(rng.randint(1, 3)):
                u, lo, hi, direction = rng.choice(UNITS)
                base = round(rng.uniform(lo, hi), 1)
                better = 0.6 if direction == "lower" else 1.3
                target = round(base * better, 1)
                k: dict = {"name": f"{rng.choice(['Cycle time', 'Backlog', 'Handled without rework', 'Cost', 'Complaints', 'On-time rate'])} for {many}", "unit": u}
                if answered(1.2):
                    k["baseline"] = base
                if answered(1.2):
                    k["target"] = target
                if yes(0.7):
                    k["direction"] = direction
                if self.stage in ("scaling", "production") and answered():
                    k["actual"] = round(target * rng.uniform(0.85, 1.15), 1)
                if answered():
                    k["owner"] = owner
                kpis.append(k)
            me["business"] = kpis
        if answered():
            me["thresholds_agreed_on"] = on_time()
        m["metrics"] = me

        # Teams add keys of their own.
        if yes(0.3):
            m["cost_centre"] = f"CC-{rng.randint(1000, 9999)}"
        if yes(0.2):
            m["vendor"] = rng.choice(["Acme Analytics", "Brightline AI", "in-house", "Fjord Data"])
        # About one dossier in 200 has a wrong shape: its page says what is wrong.
        if yes(0.005):
            broken = rng.choice(["date", "share", "stage"])
            if broken == "date":
                m["updated"] = "2026-02-30"
            elif broken == "share":
                d["completeness"] = "120%"
            else:
                m["stage"] = "piloting"
        self.matter = m

    def body(self, rng: random.Random) -> str:
        fill = {
            "team": f"the {rng.choice(AREAS[self.area][1]).lower()} team",
            "one": self.one,
            "many": self.many,
            "owner": self.owner,
            "year": rng.choice([2023, 2024, 2025]),
            "months": rng.randint(2, 6),
            "sample": rng.choice(SAMPLES),
            "sites": rng.randint(2, 9),
            "gap": rng.choice(GAPS),
            "acc": rng.randint(80, 97),
            "weeks": rng.randint(3, 10),
            "cadence": rng.choice(["two weeks", "month", "quarter"]),
            "due": self.due.isoformat(),
        }

        def para(pool, n):
            return " ".join(s.format(**fill) for s in rng.sample(pool, n))

        link_a = rng.choice(LINKS)
        link_b = rng.choice(LINKS)
        before = rng.randint(3, 12)
        rows = [
            f"| Cycle time (days) | {before} | {max(1, before // 2)} | {max(1, before // 2 + rng.randint(-1, 2))} |",
            f"| Handled without rework | {rng.randint(40, 70)}% | {rng.randint(75, 90)}% | {rng.randint(60, 95)}% |",
            f"| {self.many.capitalize()} a day | {rng.randint(100, 600)} | {rng.randint(600, 1200)} | {rng.randint(300, 1300)} |",
        ]
        lessons = [f"- {s.format(**fill)}" for s in rng.sample(LESSONS, 4)]
        steps = [
            f"1. Audit the data behind the {self.many}, with {link_a[0]} as the starting point.",
            "2. Name the production owner and the reviewer before the next phase.",
            f"3. Train the {rng.choice(['clerks', 'agents', 'team leaders', 'analysts'])} on real scenarios from last quarter.",
            "4. Report the business KPIs, not only accuracy, to the steering group.",
        ]
        parts = [
            "## Where it started",
            "",
            para(OPENERS, 2) + " " + para(MIDDLE, 2),
            "",
            "## What we did",
            "",
            para(MIDDLE, 5) + f" The details are in [{link_a[0]}]({link_a[1].format(slug=self.slug)}).",
            "",
            "| Measure | Before | Target | Now |",
            "|---|---:|---:|---:|",
            *rows,
            "",
            "### Next steps",
            "",
            *steps,
            "",
            "## What we learnt",
            "",
            *lessons,
            "",
            f"See also [{link_b[0]}]({link_b[1].format(slug=self.slug)}) and the **{self.owner}** review notes.",
            "",
            "## Open questions",
            "",
            para(CLOSERS, 2) + " " + para(MIDDLE, 3),
            "",
            "Revision 0.",
            "",
        ]
        return "\n".join(parts)


# ---------------------------------------------------------------- writers


def yaml_scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    s = str(v)
    plain_ok = s and not any(c in s for c in ":#'\"{}[],&*!|>%@`") and not s[0].isdigit() and s.strip() == s and s.lower() not in ("yes", "no", "true", "false", "null", "on", "off", "~")
    return s if plain_ok else json.dumps(s, ensure_ascii=False)


def yaml_lines(m: dict, indent: int = 0) -> list[str]:
    pad = " " * indent
    out = []
    for k, v in m.items():
        if isinstance(v, dict):
            if not v:
                continue
            out.append(f"{pad}{k}:")
            out.extend(yaml_lines(v, indent + 2))
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            out.append(f"{pad}{k}:")
            for item in v:
                first = True
                for ik, iv in item.items():
                    lead = "- " if first else "  "
                    out.append(f"{pad}  {lead}{ik}: {yaml_scalar(iv)}")
                    first = False
        elif isinstance(v, list):
            if len(v) <= 2:
                out.append(f"{pad}{k}: [{', '.join(json.dumps(x, ensure_ascii=False) for x in v)}]")
            else:
                out.append(f"{pad}{k}:")
                out.extend(f"{pad}  - {yaml_scalar(x)}" for x in v)
        else:
            out.append(f"{pad}{k}: {yaml_scalar(v)}")
    return out


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return json.dumps(str(v), ensure_ascii=False)


def toml_lines(m: dict, prefix: str = "") -> list[str]:
    out = []
    tables = []
    for k, v in m.items():
        if isinstance(v, dict):
            tables.append((k, v))
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            tables.append((k, v))
        else:
            out.append(f"{k} = {toml_value(v)}")
    for k, v in tables:
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            if not v:
                continue
            out.append("")
            out.append(f"[{name}]")
            out.extend(toml_lines(v, name + "."))
        else:
            for item in v:
                out.append("")
                out.append(f"[[{name}]]")
                out.extend(f"{ik} = {toml_value(iv)}" for ik, iv in item.items())
    return out


def json_ready(v):
    if isinstance(v, dict):
        return {k: json_ready(x) for k, x in v.items() if not (isinstance(x, dict) and not x)}
    if isinstance(v, list):
        return [json_ready(x) for x in v]
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def dossier_text(p: Pilot, body: str) -> str:
    if p.format == "yaml":
        return "---\n" + "\n".join(yaml_lines(p.matter)) + "\n---\n\n" + body
    if p.format == "toml":
        return "+++\n" + "\n".join(toml_lines(p.matter)) + "\n+++\n\n" + body
    return json.dumps(json_ready(p.matter), indent=2, ensure_ascii=False) + "\n\n" + body


HUGO_CONFIG = """baseURL = "https://example.org/"
title = "Hugo comparison"
disableKinds = ["home", "section", "taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.renderer]
unsafe = false
"""

HUGO_LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>
"""

# Zola always renders the home page, the section, the sitemap, robots.txt
# and 404.html; their templates here list nothing, so the pages are what
# is measured, as with Hugo above.
ZOLA_CONFIG = """base_url = "https://example.org"
title = "Zola comparison"
compile_sass = false
build_search_index = false
generate_feeds = false
minify_html = false
taxonomies = []

[markdown]
render_emoji = false
external_links_target_blank = false
smart_punctuation = false
"""

ZOLA_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body><main><h1>{{ page.title }}</h1>{{ page.content | safe }}</main></body></html>
"""

ZOLA_LIST = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ config.title }}</title></head>
<body><main><h1>{{ config.title }}</h1></main></body></html>
"""


def write_zola_project(folder: str) -> None:
    for sub in ("templates", os.path.join("content", "pilots")):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    files = {
        "config.toml": ZOLA_CONFIG,
        os.path.join("templates", "page.html"): ZOLA_PAGE,
        os.path.join("templates", "section.html"): ZOLA_LIST,
        os.path.join("templates", "index.html"): ZOLA_LIST,
        os.path.join("content", "_index.md"): '+++\ntitle = "Home"\n+++\n',
        os.path.join("content", "pilots", "_index.md"): '+++\ntitle = "Pilots"\nsort_by = "none"\n+++\n',
    }
    for rel, text in files.items():
        with open(os.path.join(folder, rel), "w", encoding="utf-8") as f:
            f.write(text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="folder to write the project into (created; existing dossiers are overwritten)")
    ap.add_argument("--count", type=int, required=True, help="number of dossiers")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--hugo", metavar="DIR", help="also write a minimal Hugo project with the same bodies")
    ap.add_argument("--zola", metavar="DIR", help="also write a minimal Zola site with the same bodies")
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    content = os.path.join(args.out, "content")
    os.makedirs(content, exist_ok=True)
    with open(os.path.join(args.out, "pilotscope.toml"), "w", encoding="utf-8") as f:
        f.write(f'# Generated by bench/generate.py --count {args.count} --seed {args.seed}\ntitle = "Synthetic portfolio of {args.count} pilots"\ncurrency = "GBP"\n')
    if args.hugo:
        os.makedirs(os.path.join(args.hugo, "layouts", "_default"), exist_ok=True)
        with open(os.path.join(args.hugo, "config.toml"), "w", encoding="utf-8") as f:
            f.write(HUGO_CONFIG)
        with open(os.path.join(args.hugo, "layouts", "_default", "single.html"), "w", encoding="utf-8") as f:
            f.write(HUGO_LAYOUT)
    if args.zola:
        write_zola_project(args.zola)
    made = set()
    for n in range(1, args.count + 1):
        p = Pilot(rng, n)
        body = p.body(rng)
        folder = os.path.join(content, p.area)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        with open(os.path.join(folder, p.slug + ".md"), "w", encoding="utf-8") as f:
            f.write(dossier_text(p, body))
        if args.hugo:
            hfolder = os.path.join(args.hugo, "content", "pilots", p.area)
            if hfolder not in made:
                os.makedirs(hfolder, exist_ok=True)
                made.add(hfolder)
            with open(os.path.join(hfolder, p.slug + ".md"), "w", encoding="utf-8") as f:
                f.write(f"---\ntitle: {json.dumps(p.title)}\n---\n\n{body}")
        if args.zola:
            name = f"{p.area}-{p.slug}.md"
            with open(os.path.join(args.zola, "content", "pilots", name), "w", encoding="utf-8") as f:
                f.write(f"+++\ntitle = {json.dumps(p.title)}\n+++\n\n{body}")
    also = [f"a Hugo project to {args.hugo}"] * bool(args.hugo) + [f"a Zola site to {args.zola}"] * bool(args.zola)
    print(f"wrote {args.count} dossiers to {content}" + "".join(f" and {a}" for a in also), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
