//! Reading framework files: the built-in one and a project's own.
//!
//! A framework file is TOML (see `default.toml`, embedded in the binary). A
//! project's file is merged over the built-in one: a check with a known id
//! changes only what it states (`threshold`, `severity`, `enabled = false`,
//! …); a check with a new id is added and must state everything. Every
//! mistake in the file is a located [`Diagnostic`].

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Check, Condition, Framework, KpiField, Literal, Mistake, MistakeInfo, Severity};
use crate::diagnostic::{Code, Diagnostic, Location, suggest};
use crate::dossier::schema::{self, Kind};
use crate::dossier::tree::format_number;

/// The default framework of the contract, as shipped.
pub const DEFAULT_FRAMEWORK: &str = include_str!("default.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    replace_defaults: bool,
    ready_at: Option<Spanned<u32>>,
    weights: Option<Spanned<WeightsSpec>>,
    #[serde(default)]
    mistakes: Vec<MistakeSpec>,
    #[serde(default)]
    checks: Vec<CheckSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WeightsSpec {
    blocker: Option<u32>,
    major: Option<u32>,
    minor: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MistakeSpec {
    id: Spanned<String>,
    name: Option<String>,
    summary: Option<String>,
    root_cause: Option<String>,
    fix: Option<String>,
    fix_short: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckSpec {
    id: Spanned<String>,
    mistake: Option<Spanned<String>>,
    title: Option<String>,
    question: Option<String>,
    remedy: Option<String>,
    enabled: Option<bool>,
    severity: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    pass_when: Option<Spanned<ConditionSpec>>,
    threshold: Option<Spanned<f64>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConditionSpec {
    answered: Option<Spanned<String>>,
    all_answered: Option<Vec<Spanned<String>>>,
    is: Option<IsSpec>,
    at_least: Option<ThresholdSpec>,
    at_most: Option<ThresholdSpec>,
    on_or_before: Option<Vec<Spanned<String>>>,
    all_addressed: Option<Spanned<String>>,
    either: Option<Spanned<Vec<Spanned<ConditionSpec>>>>,
    when: Option<Box<Spanned<ConditionSpec>>>,
    then: Option<Box<Spanned<ConditionSpec>>>,
    kpis_have: Option<Vec<Spanned<String>>>,
    kpis_meet_targets: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct IsSpec {
    field: Spanned<String>,
    value: Option<Spanned<LiteralSpec>>,
    values: Option<Vec<Spanned<LiteralSpec>>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum LiteralSpec {
    Bool(bool),
    Word(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdSpec {
    field: Spanned<String>,
    value: Spanned<f64>,
}

/// Reads the framework: the built-in one, with the project's file (its text
/// and the name to show) merged over it when there is one.
pub fn load_framework(project: Option<(&str, &str)>) -> Result<Framework, Vec<Diagnostic>> {
    parse_framework(DEFAULT_FRAMEWORK, "(built-in framework)", project)
}

/// Reads `base` and merges `project` over it.
pub fn parse_framework(
    base: &str,
    base_name: &str,
    project: Option<(&str, &str)>,
) -> Result<Framework, Vec<Diagnostic>> {
    let mut ctx = Ctx {
        errors: Vec::new(),
        text: base,
        source: base_name,
    };
    let base_spec = ctx.parse(base)?;
    let mut fw = Framework {
        mistakes: Vec::new(),
        checks: Vec::new(),
        weights: [5, 3, 1],
        ready_at: 80,
        origin: "built-in".into(),
    };
    ctx.apply(&mut fw, base_spec, true);
    if fw.mistakes.len() != 5 {
        ctx.errors.push(Diagnostic::error(
            Code::FrameworkIncomplete,
            base_name,
            "the framework must describe all five mistakes",
        ));
    }
    if let Some((text, name)) = project {
        let mut pctx = Ctx {
            errors: Vec::new(),
            text,
            source: name,
        };
        match pctx.parse(text) {
            Ok(spec) => {
                fw.origin = name.to_string();
                pctx.apply(&mut fw, spec, false);
            }
            Err(e) => return Err(e),
        }
        ctx.errors.extend(pctx.errors);
    }
    if ctx.errors.is_empty() {
        Ok(fw)
    } else {
        Err(ctx.errors)
    }
}

struct Ctx<'a> {
    errors: Vec<Diagnostic>,
    text: &'a str,
    source: &'a str,
}

impl Ctx<'_> {
    fn parse(&mut self, text: &str) -> Result<FileSpec, Vec<Diagnostic>> {
        toml::from_str::<FileSpec>(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().replace('\n', " ");
            vec![
                Diagnostic::error(
                    Code::FrameworkUnreadable,
                    self.source,
                    format!("the framework file cannot be read: {message}"),
                )
                .at(Location::from_offsets(text, span.start, span.end)),
            ]
        })
    }

    fn error<T>(
        &mut self,
        code: Code,
        spanned: &Spanned<T>,
        message: String,
        help: Option<String>,
    ) {
        let span = spanned.span();
        let mut d = Diagnostic::error(code, self.source, message)
            .at(Location::from_offsets(self.text, span.start, span.end));
        d.help = help;
        self.errors.push(d);
    }

    fn apply(&mut self, fw: &mut Framework, spec: FileSpec, is_base: bool) {
        if spec.replace_defaults {
            fw.checks.clear();
        }
        if let Some(r) = &spec.ready_at {
            if *r.get_ref() > 100 {
                self.error(
                    Code::FrameworkBadValue,
                    r,
                    "`ready_at` is a readiness score from 0 to 100".into(),
                    None,
                );
            }
            fw.ready_at = *r.get_ref();
        }
        if let Some(w) = &spec.weights {
            let given = w.get_ref();
            fw.weights = [
                given.blocker.unwrap_or(fw.weights[0]),
                given.major.unwrap_or(fw.weights[1]),
                given.minor.unwrap_or(fw.weights[2]),
            ];
            if fw.weights == [0, 0, 0] {
                self.error(
                    Code::FrameworkBadValue,
                    w,
                    "every weight is 0, so every pilot would score 100 whatever it answers".into(),
                    Some("give the severities weights above 0, such as blocker = 5, major = 3, minor = 1".into()),
                );
            }
        }
        for m in spec.mistakes {
            let Some(id) = Mistake::parse(m.id.get_ref()) else {
                let help = suggest(m.id.get_ref(), Mistake::ALL.map(Mistake::as_str))
                    .map(|s| format!("did you mean `{s}`?"));
                self.error(Code::FrameworkUnknownMistake, &m.id, format!("unknown mistake `{}`; the five are framing, data, governance, change and metrics", m.id.get_ref()), help);
                continue;
            };
            if let Some(existing) = fw.mistakes.iter_mut().find(|x| x.id == id) {
                existing.name = m.name.unwrap_or(existing.name.clone());
                existing.summary = m.summary.unwrap_or(existing.summary.clone());
                existing.root_cause = m.root_cause.unwrap_or(existing.root_cause.clone());
                existing.fix = m.fix.unwrap_or(existing.fix.clone());
                existing.fix_short = m.fix_short.unwrap_or(existing.fix_short.clone());
            } else if is_base {
                fw.mistakes.push(MistakeInfo {
                    id,
                    name: m.name.unwrap_or_default(),
                    summary: m.summary.unwrap_or_default(),
                    root_cause: m.root_cause.unwrap_or_default(),
                    fix: m.fix.unwrap_or_default(),
                    fix_short: m.fix_short.unwrap_or_default(),
                });
            }
        }
        fw.mistakes.sort_by_key(|m| m.id);

        // Each id once per file: a second entry would silently override
        // the first. The value: where it was first, and whether it was new.
        let mut seen: BTreeMap<String, (usize, bool)> = BTreeMap::new();
        for c in spec.checks {
            let existing = fw.checks.iter().position(|x| &x.id == c.id.get_ref());
            let line = Location::from_offsets(self.text, c.id.span().start, c.id.span().end).line;
            if let Some((first, was_new)) = seen.get(c.id.get_ref()).copied() {
                let id = c.id.get_ref();
                if was_new {
                    self.error(
                        Code::FrameworkDuplicateId,
                        &c.id,
                        format!(
                            "the check `{id}` is defined twice in this file (first on line {first})"
                        ),
                        Some(
                            "give the second check an id of its own, or merge the two entries"
                                .into(),
                        ),
                    );
                } else {
                    self.error(
                        Code::FrameworkDuplicateId,
                        &c.id,
                        format!("the built-in check `{id}` is changed twice in this file (first on line {first}), and the second would silently override the first"),
                        Some(format!("merge the two `[[checks]]` entries for `{id}` into one")),
                    );
                }
                continue;
            }
            seen.insert(c.id.get_ref().clone(), (line, existing.is_none()));
            if c.enabled == Some(false) {
                if let Some(i) = existing {
                    fw.checks.remove(i);
                } else if !is_base {
                    let ids: Vec<&str> = fw.checks.iter().map(|x| x.id.as_str()).collect();
                    let help = suggest(c.id.get_ref(), ids).map(|s| format!("did you mean `{s}`?"));
                    self.error(
                        Code::FrameworkUnknownCheck,
                        &c.id,
                        format!(
                            "cannot switch off `{}`: there is no such check",
                            c.id.get_ref()
                        ),
                        help,
                    );
                }
                continue;
            }
            match existing {
                Some(i) => {
                    let mut check = fw.checks[i].clone();
                    if self.patch(&mut check, c, false) {
                        fw.checks[i] = check;
                    }
                }
                None => {
                    let mistake =
                        c.id.get_ref()
                            .split('.')
                            .next()
                            .and_then(Mistake::parse)
                            .unwrap_or(Mistake::Framing);
                    let mut check = Check {
                        id: c.id.get_ref().clone(),
                        mistake,
                        title: String::new(),
                        question: String::new(),
                        remedy: String::new(),
                        severity: [None; 4],
                        condition: Condition::AllAnswered(Vec::new()),
                    };
                    if self.patch(&mut check, c, true) {
                        fw.checks.push(check);
                    }
                }
            }
        }
    }

    /// Applies what `c` states to `check`. `new` checks must state
    /// everything. False when an error was reported.
    fn patch(&mut self, check: &mut Check, c: CheckSpec, new: bool) -> bool {
        let before = self.errors.len();
        let id = c.id.get_ref().clone();
        if new {
            let missing: Vec<&str> = [
                ("severity", c.severity.is_none()),
                ("pass_when", c.pass_when.is_none()),
                ("title", c.title.is_none()),
                (
                    "mistake",
                    c.mistake.is_none() && id.split('.').next().and_then(Mistake::parse).is_none(),
                ),
            ]
            .into_iter()
            .filter(|(_, m)| *m)
            .map(|(k, _)| k)
            .collect();
            if !missing.is_empty() {
                self.error(
                    Code::FrameworkIncompleteCheck,
                    &c.id,
                    format!("the new check `{id}` needs {}", missing.join(", ")),
                    Some("to change a built-in check, use its exact id (see the framework page of the site)".into()),
                );
                return false;
            }
        }
        if let Some(m) = &c.mistake {
            match Mistake::parse(m.get_ref()) {
                Some(mistake) => check.mistake = mistake,
                None => {
                    let help = suggest(m.get_ref(), Mistake::ALL.map(Mistake::as_str))
                        .map(|s| format!("did you mean `{s}`?"));
                    self.error(Code::FrameworkUnknownMistake, m, format!("unknown mistake `{}`; the five are framing, data, governance, change and metrics", m.get_ref()), help);
                }
            }
        }
        if let Some(t) = c.title {
            check.title = t;
        }
        if let Some(r) = c.remedy {
            check.remedy = r;
        }
        if let Some(q) = c.question {
            check.question = q;
        } else if new {
            check.question = check.title.clone();
        }
        if let Some(sev) = &c.severity
            && sev.get_ref().is_empty()
        {
            self.error(
                Code::FrameworkBadValue,
                sev,
                "`severity = {}` names no stage, so it says nothing (and a new check with it never applies)".into(),
                Some("name the stages, such as `severity = { pilot = \"major\", scaling = \"blocker\" }`".into()),
            );
        }
        if let Some(sev) = &c.severity {
            for (stage, word) in sev.get_ref() {
                let column = match stage.as_str() {
                    "proposed" => 0,
                    "pilot" => 1,
                    "scaling" => 2,
                    "production" => 3,
                    other => {
                        self.error(
                            Code::FrameworkBadValue,
                            sev,
                            format!("unknown stage `{other}` in `severity`; use proposed, pilot, scaling and production (paused and abandoned are judged as pilot)"),
                            None,
                        );
                        continue;
                    }
                };
                check.severity[column] = match word.get_ref().as_str() {
                    "blocker" => Some(Severity::Blocker),
                    "major" => Some(Severity::Major),
                    "minor" => Some(Severity::Minor),
                    "-" | "none" => None,
                    other => {
                        let help = suggest(other, ["blocker", "major", "minor"])
                            .map(|s| format!("did you mean \"{s}\"?"));
                        self.error(
                            Code::FrameworkBadValue,
                            word,
                            format!(
                                "severity must be blocker, major, minor or \"-\"; found \"{other}\""
                            ),
                            help,
                        );
                        None
                    }
                };
            }
            if new {
                for (column, stage) in ["proposed", "pilot", "scaling", "production"]
                    .iter()
                    .enumerate()
                {
                    if !sev.get_ref().contains_key(*stage) {
                        check.severity[column] = None;
                    }
                }
            }
        }
        if let Some(pw) = &c.pass_when
            && let Some(cond) = self.condition(pw)
        {
            check.condition = cond;
        }
        if let Some(t) = &c.threshold {
            match &mut check.condition {
                Condition::AtLeast { field, value } | Condition::AtMost { field, value } => {
                    *value = *t.get_ref();
                    let field = *field;
                    self.threshold(field, t);
                }
                _ => self.error(Code::FrameworkBadCondition, t, format!("`threshold` applies only to checks with `at_least` or `at_most`, and `{id}` has neither"), None),
            }
        }
        self.errors.len() == before
    }

    /// A threshold that could only be a slip: below zero, or a share
    /// written as a percentage (`85` for 0.85), which would change every
    /// judgement without a word.
    fn threshold(&mut self, field: usize, t: &Spanned<f64>) {
        let v = *t.get_ref();
        let share = schema::FIELDS[field].kind == Kind::Share;
        let path = schema::FIELDS[field].path;
        if !v.is_finite() {
            self.error(
                Code::FrameworkBadValue,
                t,
                format!("the threshold for `{path}` must be a number"),
                None,
            );
        } else if v < 0.0 {
            let help = if !share || -v <= 1.0 {
                Some(format!("did you mean {}?", format_number(-v)))
            } else {
                None
            };
            self.error(
                Code::FrameworkBadValue,
                t,
                format!(
                    "a threshold cannot be negative; found {} for `{path}`",
                    format_number(v)
                ),
                help,
            );
        } else if share && v > 1.0 {
            let help = if v <= 100.0 {
                format!(
                    "{} is not a share; did you mean {}?",
                    format_number(v),
                    format_number(v / 100.0)
                )
            } else {
                "write a share as a number from 0 to 1, such as 0.85 for 85%".to_string()
            };
            self.error(
                Code::FrameworkBadValue,
                t,
                format!("`{path}` is a share from 0 to 1, so a threshold of {} would change every judgement", format_number(v)),
                Some(help),
            );
        }
    }

    fn field(&mut self, name: &Spanned<String>) -> Option<usize> {
        match schema::field_index(name.get_ref()) {
            Some(i) => Some(i),
            None => {
                let help = suggest(name.get_ref(), schema::FIELDS.iter().map(|f| f.path))
                    .map(|s| format!("did you mean `{s}`?"));
                self.error(Code::FrameworkUnknownField, name, format!("unknown dossier field `{}`; fields are written as dotted paths such as `governance.owner`", name.get_ref()), help);
                None
            }
        }
    }

    fn condition(&mut self, spec: &Spanned<ConditionSpec>) -> Option<Condition> {
        let c = spec.get_ref();
        let mut found: Vec<Condition> = Vec::new();
        let mut kinds = 0;
        if let Some(f) = &c.answered {
            kinds += 1;
            found.extend(self.field(f).map(Condition::Answered));
        }
        if let Some(fs) = &c.all_answered {
            kinds += 1;
            let fields: Vec<usize> = fs.iter().filter_map(|f| self.field(f)).collect();
            if fields.len() == fs.len() {
                found.push(Condition::AllAnswered(fields));
            }
        }
        if let Some(is) = &c.is {
            kinds += 1;
            if let Some(field) = self.field(&is.field) {
                let mut lits: Vec<&Spanned<LiteralSpec>> = is.values.iter().flatten().collect();
                lits.extend(is.value.iter());
                if lits.is_empty() {
                    self.error(
                        Code::FrameworkBadCondition,
                        &is.field,
                        "`is` needs `value = …` or `values = [ … ]`".into(),
                        None,
                    );
                }
                let kind = schema::FIELDS[field].kind;
                let mut values = Vec::new();
                for lit in lits {
                    match (lit.get_ref(), kind) {
                        (LiteralSpec::Bool(b), Kind::Bool) => values.push(Literal::Bool(*b)),
                        (LiteralSpec::Word(w), Kind::Choice(words))
                            if words.contains(&w.as_str()) =>
                        {
                            values.push(Literal::Word(w.clone()))
                        }
                        (LiteralSpec::Word(w), Kind::Choice(words)) => self.error(
                            Code::FrameworkBadCondition,
                            lit,
                            format!(
                                "`{}` is one of {}; \"{w}\" can never match",
                                is.field.get_ref(),
                                words.join(", ")
                            ),
                            None,
                        ),
                        (LiteralSpec::Word(w), Kind::Text) => values.push(Literal::Word(w.clone())),
                        _ => self.error(
                            Code::FrameworkBadCondition,
                            lit,
                            format!(
                                "this value cannot be compared with `{}`",
                                is.field.get_ref()
                            ),
                            None,
                        ),
                    }
                }
                found.push(Condition::Is { field, values });
            }
        }
        for (spec_t, at_least) in [(&c.at_least, true), (&c.at_most, false)] {
            if let Some(t) = spec_t {
                kinds += 1;
                if let Some(field) = self.field(&t.field) {
                    if !matches!(schema::FIELDS[field].kind, Kind::Share | Kind::Number) {
                        self.error(Code::FrameworkBadCondition, &t.field, format!("`{}` is not a number or a share, so it cannot be compared with a threshold", t.field.get_ref()), None);
                    }
                    self.threshold(field, &t.value);
                    let value = *t.value.get_ref();
                    found.push(if at_least {
                        Condition::AtLeast { field, value }
                    } else {
                        Condition::AtMost { field, value }
                    });
                }
            }
        }
        if let Some(pair) = &c.on_or_before {
            kinds += 1;
            if pair.len() != 2 {
                self.error(
                    Code::FrameworkBadCondition,
                    spec,
                    "`on_or_before` takes two date fields: `[\"earlier\", \"later\"]`".into(),
                    None,
                );
            } else if let (Some(a), Some(b)) = (self.field(&pair[0]), self.field(&pair[1])) {
                for (i, p) in [(a, &pair[0]), (b, &pair[1])] {
                    if schema::FIELDS[i].kind != Kind::Date {
                        self.error(
                            Code::FrameworkBadCondition,
                            p,
                            format!("`{}` is not a date", p.get_ref()),
                            None,
                        );
                    }
                }
                found.push(Condition::OnOrBefore { field: a, than: b });
            }
        }
        if let Some(f) = &c.all_addressed {
            kinds += 1;
            if let Some(i) = self.field(f) {
                if schema::FIELDS[i].kind != Kind::Gaps {
                    self.error(
                        Code::FrameworkBadCondition,
                        f,
                        format!("`{}` is not a list of gaps", f.get_ref()),
                        None,
                    );
                }
                found.push(Condition::AllAddressed(i));
            }
        }
        if let Some(list) = &c.either {
            kinds += 1;
            if list.get_ref().is_empty() {
                self.error(
                    Code::FrameworkBadCondition,
                    list,
                    "`either = []` lists no condition, so the check could never pass".into(),
                    Some("list two or more conditions: `either = [{ answered = \"…\" }, { answered = \"…\" }]`".into()),
                );
            } else {
                let inner: Vec<Condition> = list
                    .get_ref()
                    .iter()
                    .filter_map(|s| self.condition(s))
                    .collect();
                if inner.len() == list.get_ref().len() {
                    found.push(Condition::Either(inner));
                }
            }
        }
        match (&c.when, &c.then) {
            (Some(when), Some(then)) => {
                kinds += 1;
                if let (Some(w), Some(t)) = (self.condition(when), self.condition(then)) {
                    found.push(Condition::When {
                        when: Box::new(w),
                        then: Box::new(t),
                    });
                }
            }
            (Some(one), None) | (None, Some(one)) => {
                kinds += 1;
                self.error(
                    Code::FrameworkBadCondition,
                    one.as_ref(),
                    "`when` and `then` go together: `{ when = { … }, then = { … } }`".into(),
                    None,
                );
            }
            (None, None) => {}
        }
        if let Some(keys) = &c.kpis_have {
            kinds += 1;
            let mut fields = Vec::new();
            for k in keys {
                match KpiField::ALL.iter().find(|(_, name)| name == k.get_ref()) {
                    Some((f, _)) => fields.push(*f),
                    None => self.error(Code::FrameworkUnknownField, k, format!("unknown KPI value `{}`; use name, unit, baseline, target, direction, actual or owner", k.get_ref()), None),
                }
            }
            found.push(Condition::KpisHave(fields));
        }
        if let Some(true) = c.kpis_meet_targets {
            kinds += 1;
            found.push(Condition::KpisMeetTargets);
        }
        if kinds != 1 {
            self.error(
                Code::FrameworkBadCondition,
                spec,
                "`pass_when` needs exactly one condition: answered, all_answered, is, at_least, at_most, on_or_before, all_addressed, either, when with then, kpis_have or kpis_meet_targets".into(),
                None,
            );
            return None;
        }
        found.pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_framework_has_the_contract_checks() {
        let fw = Framework::builtin();
        assert_eq!(fw.checks.len(), 37);
        assert_eq!(fw.mistakes.len(), 5);
        assert_eq!(fw.weights, [5, 3, 1]);
        for c in &fw.checks {
            assert!(!c.remedy.trim().is_empty(), "{} has no remedy", c.id);
            assert!(!c.question.trim().is_empty(), "{} has no question", c.id);
        }
    }

    #[test]
    fn a_project_can_give_a_check_its_own_remedy() {
        let project = "[[checks]]\nid = \"governance.owner\"\nremedy = \"Ask the COO.\"\n";
        let fw = load_framework(Some((project, "framework.toml"))).unwrap();
        let c = fw
            .checks
            .iter()
            .find(|c| c.id == "governance.owner")
            .unwrap();
        assert_eq!(c.remedy, "Ask the COO.");
    }

    #[test]
    fn a_project_can_change_thresholds_severities_and_switch_checks_off() {
        let project = r#"
[[checks]]
id = "data.completeness"
threshold = 0.8
severity = { pilot = "blocker" }

[[checks]]
id = "change.training"
enabled = false

[[checks]]
id = "governance.security-review"
title = "Security has reviewed the system"
severity = { pilot = "major", scaling = "blocker", production = "blocker" }
pass_when = { answered = "governance.reviewer" }
"#;
        let fw = load_framework(Some((project, "framework.toml"))).unwrap();
        let c = fw
            .checks
            .iter()
            .find(|c| c.id == "data.completeness")
            .unwrap();
        assert!(matches!(c.condition, Condition::AtLeast { value, .. } if value == 0.8));
        assert_eq!(c.severity[1], Some(Severity::Blocker));
        assert_eq!(c.severity[0], Some(Severity::Major));
        assert!(!fw.checks.iter().any(|c| c.id == "change.training"));
        let added = fw
            .checks
            .iter()
            .find(|c| c.id == "governance.security-review")
            .unwrap();
        assert_eq!(added.mistake, Mistake::Governance);
        assert_eq!(added.severity[0], None);
    }

    #[test]
    fn mistakes_in_a_framework_file_are_located() {
        let project = "[[checks]]\nid = \"data.completeness\"\npass_when = { at_least = { field = \"data.completenes\", value = 0.8 } }\n";
        let errors = load_framework(Some((project, "framework.toml"))).unwrap_err();
        let e = errors[0].to_string();
        assert!(e.starts_with("framework.toml:3:"), "{e}");
        assert!(e.contains("did you mean `data.completeness`"), "{e}");

        let errors =
            load_framework(Some(("[[check]]\nid = \"x\"\n", "framework.toml"))).unwrap_err();
        assert!(
            errors[0].to_string().starts_with("framework.toml:1:"),
            "{}",
            errors[0]
        );
    }
    /// The errors a project file gives, as `line:column: message (help)`.
    fn slips(project: &str) -> Vec<String> {
        load_framework(Some((project, "framework.toml")))
            .expect_err("the file is refused")
            .iter()
            .map(|d| {
                let s = d.to_string();
                s.strip_prefix("framework.toml:").unwrap_or(&s).to_string()
            })
            .collect()
    }

    #[test]
    fn a_share_threshold_written_as_a_percentage_is_an_error_with_the_share() {
        let e = slips("[[checks]]\nid = \"data.consistency\"\nthreshold = 85\n");
        assert_eq!(
            e,
            [
                "3:13: `data.consistency` is a share from 0 to 1, so a threshold of 85 would change every judgement (help: 85 is not a share; did you mean 0.85?)"
            ]
        );
        let e = slips(
            "[[checks]]\nid = \"x.y\"\nmistake = \"data\"\ntitle = \"T\"\nseverity = { pilot = \"minor\" }\npass_when = { at_most = { field = \"data.exception_rate\", value = 120 } }\n",
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("6:"), "{e:?}");
        assert!(
            e[0].contains("write a share as a number from 0 to 1"),
            "{e:?}"
        );
    }

    #[test]
    fn a_negative_threshold_is_an_error() {
        let e = slips("[[checks]]\nid = \"data.completeness\"\nthreshold = -0.9\n");
        assert_eq!(
            e,
            [
                "3:13: a threshold cannot be negative; found -0.9 for `data.completeness` (help: did you mean 0.9?)"
            ]
        );
    }

    #[test]
    fn an_empty_either_is_an_error() {
        let e = slips(
            "[[checks]]\nid = \"governance.x\"\ntitle = \"T\"\nseverity = { pilot = \"minor\" }\npass_when = { either = [] }\n",
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("5:24: `either = []` lists no condition"),
            "{e:?}"
        );
    }

    #[test]
    fn weights_that_are_all_zero_are_an_error() {
        let e = slips("[weights]\nblocker = 0\nmajor = 0\nminor = 0\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("1:1: every weight is 0"), "{e:?}");
        // One weight of 0 is a choice, not a slip.
        assert!(load_framework(Some(("[weights]\nminor = 0\n", "framework.toml"))).is_ok());
    }

    #[test]
    fn the_same_new_check_twice_is_an_error() {
        let one = "[[checks]]\nid = \"governance.x\"\ntitle = \"T\"\nseverity = { pilot = \"minor\" }\npass_when = { answered = \"governance.owner\" }\n";
        let e = slips(&format!("{one}\n{one}"));
        assert_eq!(
            e,
            [
                "8:6: the check `governance.x` is defined twice in this file (first on line 2) (help: give the second check an id of its own, or merge the two entries)"
            ]
        );
    }

    #[test]
    fn the_same_builtin_check_changed_twice_is_an_error() {
        let e = slips(
            "[[checks]]\nid = \"data.completeness\"\nthreshold = 0.8\n\n[[checks]]\nid = \"data.completeness\"\nseverity = { pilot = \"blocker\" }\n",
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("6:6: the built-in check `data.completeness` is changed twice in this file (first on line 2)"),
            "{e:?}"
        );
    }

    #[test]
    fn an_empty_severity_table_is_an_error() {
        let e = slips("[[checks]]\nid = \"governance.owner\"\nseverity = {}\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("3:12: `severity = {}` names no stage"),
            "{e:?}"
        );
        let e = slips(
            "[[checks]]\nid = \"governance.x\"\ntitle = \"T\"\nseverity = {}\npass_when = { answered = \"governance.owner\" }\n",
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("4:12:"), "{e:?}");
    }

    #[test]
    fn a_when_needs_its_then() {
        let e = slips(
            "[[checks]]\nid = \"governance.handoff\"\npass_when = { when = { answered = \"framing.led_by\" } }\n",
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("`when` and `then` go together"), "{e:?}");
    }
}
