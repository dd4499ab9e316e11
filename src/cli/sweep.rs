//! `acdsim sweep`: a grid of what-if variants, run with common random numbers.

use super::{
    expected_work, load_with_json, progress_bar, write_json_stdout, write_stdout, RunArgsCommon,
};
use crate::report::json::Document;
use crate::report::table::{cell, Fmt, Table};
use crate::report::{finite, ReplicationMetrics, Summary};
use crate::runner::run_variants;
use crate::sweep::{show, variants, Setting};
use clap::Args;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub(super) struct SweepArgs {
    /// Scenario file (JSON).
    scenario: PathBuf,
    /// A setting and its values: PATH=V1,V2,... or PATH=A..B[:STEP] (repeat for a grid).
    #[arg(long = "set", value_name = "PATH=VALUES", required = true)]
    set: Vec<String>,
    #[command(flatten)]
    common: RunArgsCommon,
    /// Print one JSON document (`variants`, each with its settings and the blocks of `run --json`).
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV: one row per variant, its settings, then each total metric and its ci95.
    #[arg(long)]
    csv: bool,
    /// Never show the progress bar.
    #[arg(long)]
    quiet: bool,
}

pub(super) fn sweep(args: SweepArgs) -> anyhow::Result<()> {
    let (base, doc) = load_with_json(&args.scenario)?;
    let settings: Vec<Setting> = args
        .set
        .iter()
        .map(|s| Setting::parse(s))
        .collect::<Result<_, _>>()?;
    let origin = args.scenario.display().to_string();
    let variants = variants(&doc, &origin, &settings)?;
    let opts = args.common.options(&base);
    let total_reps = opts.replications as u64 * variants.len() as u64;
    // Every variant's metrics are kept until the end; warnings once, for the base.
    let all = u32::try_from(total_reps).unwrap_or(u32::MAX);
    super::check_runnable(&args.scenario, &base, all, opts.threads, args.quiet)?;
    for v in &variants {
        super::check_runnable(&args.scenario, &v.scenario, all, opts.threads, true)?;
    }
    let bar = progress_bar(args.quiet, expected_work(&base), total_reps);
    let scenarios: Vec<_> = variants.iter().map(|v| v.scenario.clone()).collect();
    let reps = run_variants(
        &scenarios,
        opts,
        |v, st| ReplicationMetrics::from_stats(&scenarios[v], &st),
        |p| {
            if let Some(b) = &bar {
                b.set_position((p.replications * 1000.0) as u64);
                b.set_message(format!("{}/{total_reps} replications", p.finished));
            }
        },
    );
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let summaries: Vec<Summary> = scenarios
        .iter()
        .zip(&reps)
        .map(|(sc, r)| Summary::new(sc, opts.seed, r))
        .collect();
    let paths: Vec<String> = settings.iter().map(|s| s.path.clone()).collect();
    if args.json {
        let doc = SweepDocument {
            name: &base.name,
            seed: opts.seed,
            replications: opts.replications,
            paths: &paths,
            variants: &variants,
            summaries: &summaries,
        };
        return write_json_stdout(&doc);
    }
    let text = if args.csv {
        csv_table(&paths, &variants, &summaries)?
    } else {
        table(
            &base.name,
            opts.replications,
            opts.seed,
            &paths,
            &variants,
            &summaries,
        )
    };
    write_stdout(&text)
}

fn csv_table(
    paths: &[String],
    variants: &[crate::sweep::Variant],
    summaries: &[Summary],
) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let metrics: Vec<&str> = summaries
        .first()
        .map(|s| s.total.metrics.iter().map(|(m, _)| *m).collect())
        .unwrap_or_default();
    let mut header: Vec<String> = paths
        .iter()
        .map(|p| crate::text::shown(p, usize::MAX))
        .collect();
    for m in &metrics {
        header.push(m.to_string());
        header.push(format!("{m}_ci95"));
    }
    // Campaigns: `campaign.NAME.METRIC` columns (the first variant's campaigns).
    let campaigns: Vec<(String, Vec<&str>)> = summaries
        .first()
        .map(|s| {
            s.campaigns
                .iter()
                .map(|c| (c.name.clone(), c.metrics.iter().map(|(m, _)| *m).collect()))
                .collect()
        })
        .unwrap_or_default();
    for (name, ms) in &campaigns {
        let name = crate::text::shown(name, usize::MAX);
        for m in ms {
            header.push(format!("campaign.{name}.{m}"));
            header.push(format!("campaign.{name}.{m}_ci95"));
        }
    }
    w.write_record(&header)?;
    let num = |x: f64| match finite(x) {
        Value::Null => String::new(),
        v => v.to_string(),
    };
    for (v, s) in variants.iter().zip(summaries) {
        let mut row: Vec<String> = v.settings.iter().map(|(_, x)| show(x)).collect();
        for (_, e) in &s.total.metrics {
            row.push(num(e.mean));
            row.push(num(e.ci95));
        }
        for (c, (_, ms)) in campaigns.iter().enumerate() {
            for m in ms {
                let e = s.campaigns.get(c).map(|c| c.get(m));
                row.push(e.map_or(String::new(), |e| num(e.mean)));
                row.push(e.map_or(String::new(), |e| num(e.ci95)));
            }
        }
        w.write_record(&row)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

fn table(
    name: &str,
    replications: u32,
    seed: u64,
    paths: &[String],
    variants: &[crate::sweep::Variant],
    summaries: &[Summary],
) -> String {
    let mut out = format!(
        "{}: {} variant{} × {} replication{}, seed {} (common random numbers; mean ± 95% CI)\n\n",
        crate::report::table::display_name(name, 60),
        variants.len(),
        super::plural(variants.len()),
        replications,
        super::plural(replications as usize),
        seed
    );
    let rows: Vec<String> = (1..=variants.len()).map(|i| format!("#{i}")).collect();
    let mut t = Table::new("variant", rows);
    for (i, p) in paths.iter().enumerate() {
        t.column(p, variants.iter().map(|v| show(&v.settings[i].1)).collect());
    }
    let col = |t: &mut Table, header: &str, metric: &str, f: Fmt| {
        t.column(
            header,
            summaries
                .iter()
                .map(|s| cell(s.total.get(metric), f))
                .collect(),
        );
    };
    let thresholds: Vec<f64> = summaries
        .iter()
        .flat_map(|s| s.thresholds_s.clone())
        .collect();
    let sl = match thresholds.first() {
        Some(&t) if thresholds.iter().all(|&x| x == t) => format!(
            "service level ≤{}",
            crate::time::format_duration(crate::time::SimTime::from_secs_f64(t))
        ),
        _ => "service level".to_string(),
    };
    col(&mut t, &sl, "service_level", Fmt::Percent);
    col(&mut t, "abandon rate", "abandon_rate", Fmt::Percent);
    col(&mut t, "ASA s", "asa_s", Fmt::Secs);
    let has = |metric: &str| {
        summaries
            .iter()
            .all(|s| s.total.metrics.iter().any(|(m, _)| *m == metric))
    };
    if has("escalations") {
        col(&mut t, "supervisor wait s", "supervisor_wait_s", Fmt::Secs);
        col(
            &mut t,
            "hung up on hold",
            "escalation_abandoned",
            Fmt::Count,
        );
    }
    col(&mut t, "occupancy", "occupancy", Fmt::Percent);
    col(&mut t, "agents", "agents", Fmt::Count);
    // Each campaign's connects and abandoned-call rate (campaigns of the first variant).
    let names: Vec<String> = summaries
        .first()
        .map(|s| s.campaigns.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default();
    for (c, name) in names.iter().enumerate() {
        let shown = crate::report::table::display_name(name, 24);
        for (metric, header, f) in [
            ("connects", "connects", Fmt::Count),
            ("abandon_rate", "abandon rate", Fmt::Percent),
        ] {
            t.column(
                &format!("{shown} {header}"),
                summaries
                    .iter()
                    .map(|s| {
                        s.campaigns
                            .get(c)
                            .map_or("-".into(), |x| cell(x.get(metric), f))
                    })
                    .collect(),
            );
        }
    }
    if summaries.iter().any(|s| s.total.get("cost").n > 0) {
        col(&mut t, "cost", "cost", Fmt::Money);
    }
    if summaries.iter().any(|s| s.total.get("sl_target_met").n > 0) {
        col(&mut t, "days SL met", "sl_target_met", Fmt::Percent);
        t.column(
            "target met",
            variants
                .iter()
                .zip(summaries)
                .map(|(v, s)| match v.scenario.service_level_target {
                    Some(target) if s.total.get("service_level").mean >= target => "yes".into(),
                    Some(_) => "no".into(),
                    None => "-".into(),
                })
                .collect(),
        );
    }
    out.push_str(&t.render());
    out
}

/// The document of `sweep --json`, written as it is serialized.
struct SweepDocument<'a> {
    name: &'a str,
    seed: u64,
    replications: u32,
    paths: &'a [String],
    variants: &'a [crate::sweep::Variant],
    summaries: &'a [Summary],
}

impl Serialize for SweepDocument<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("scenario", self.name)?;
        m.serialize_entry("seed", &self.seed)?;
        m.serialize_entry("replications", &self.replications)?;
        m.serialize_entry("settings", self.paths)?;
        m.serialize_entry("variants", &VariantList(self))?;
        m.end()
    }
}

struct VariantList<'a>(&'a SweepDocument<'a>);

impl Serialize for VariantList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.variants.len()))?;
        for (v, summary) in self.0.variants.iter().zip(self.0.summaries) {
            seq.serialize_element(&VariantDoc { v, summary })?;
        }
        seq.end()
    }
}

struct VariantDoc<'a> {
    v: &'a crate::sweep::Variant,
    summary: &'a Summary,
}

impl Serialize for VariantDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        let settings: serde_json::Map<String, Value> = self.v.settings.iter().cloned().collect();
        m.serialize_entry("settings", &settings)?;
        Document::new(self.summary).write_fields(&mut m)?;
        m.end()
    }
}
