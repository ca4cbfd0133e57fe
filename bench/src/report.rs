//! `bench/results/report.md` and `results.json`: every figure beside its floor.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// One measured figure and the floor it is compared with, measured in the same run.
#[derive(Serialize)]
pub struct Figure {
    pub section: &'static str,
    pub name: String,
    pub unit: &'static str,
    pub value: f64,
    pub floor_name: String,
    pub floor: f64,
    /// How far the figure is from its floor: `value / floor`, > 1 meaning further for a
    /// latency (more time) and closer to 1 being better; for a rate, `floor / value`, so that
    /// in both cases it reads "times the floor's cost".
    pub ratio: f64,
    /// The SPEC §9 target this figure answers, if any, and whether it was met.
    pub target: Option<String>,
    pub met: Option<bool>,
}

impl Figure {
    /// A latency or a size: lower is better.
    pub fn cost(
        section: &'static str,
        name: impl Into<String>,
        unit: &'static str,
        value: f64,
        floor_name: impl Into<String>,
        floor: f64,
    ) -> Self {
        Self {
            section,
            name: name.into(),
            unit,
            value,
            floor_name: floor_name.into(),
            floor,
            ratio: value / floor,
            target: None,
            met: None,
        }
    }

    /// A throughput: higher is better.
    pub fn rate(
        section: &'static str,
        name: impl Into<String>,
        unit: &'static str,
        value: f64,
        floor_name: impl Into<String>,
        floor: f64,
    ) -> Self {
        Self {
            ratio: floor / value,
            ..Self::cost(section, name, unit, value, floor_name, floor)
        }
    }

    /// With the SPEC target `target`, met when `met(value)`.
    pub fn target(mut self, target: &str, met: impl FnOnce(f64) -> bool) -> Self {
        self.met = Some(met(self.value));
        self.target = Some(target.to_owned());
        self
    }
}

/// The web app's figures, measured by `bench/web/lighthouse.mjs` in the same `make bench`
/// run. They have no floor: a page's score and size stand against SPEC §10's budgets alone.
#[derive(Deserialize, Serialize)]
pub struct Web {
    pub lighthouse: String,
    pub figures: Vec<WebFigure>,
}

#[derive(Deserialize, Serialize)]
pub struct WebFigure {
    pub name: String,
    pub unit: String,
    pub value: f64,
    pub target: Option<String>,
    pub met: Option<bool>,
}

impl Web {
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "{} is missing: bench/run.sh measures the web app first",
                path.display()
            )
        })?;
        serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))
    }
}

pub fn write(dir: &Path, figures: &[Figure], web: &Web, notes: &[String]) -> Result<()> {
    std::fs::write(
        dir.join("results.json"),
        serde_json::to_string_pretty(&serde_json::json!({
            "measured_at": chrono::Utc::now().to_rfc3339(),
            "figures": figures,
            "web": web,
            "notes": notes,
        }))?,
    )?;
    let mut md = String::from(
        "# Carebook benchmarks\n\nProduced by one `make bench` run on this machine; every figure stands beside its \
         floor, measured in the same run. The ratio is how many times the floor's cost the \
         figure is (time over time for latencies, the floor's rate over ours for rates).\n",
    );
    let judged: Vec<(&str, f64, &str, Option<bool>)> = figures
        .iter()
        .map(|f| (f.name.as_str(), f.value, f.unit, f.met))
        .chain(
            web.figures
                .iter()
                .map(|f| (f.name.as_str(), f.value, f.unit.as_str(), f.met)),
        )
        .filter(|(.., met)| met.is_some())
        .collect();
    let missed: Vec<String> = judged
        .iter()
        .filter(|(.., met)| *met == Some(false))
        .map(|(name, value, unit, _)| format!("{name} ({} {unit})", number(*value)))
        .collect();
    let _ = write!(
        md,
        "\nSPEC §9 targets: {} of {} figures meet theirs.",
        judged.len() - missed.len(),
        judged.len()
    );
    if missed.is_empty() {
        md.push('\n');
    } else {
        let _ = writeln!(md, " Not met: {}.", missed.join("; "));
    }
    let mut section = "";
    for figure in figures {
        if figure.section != section {
            section = figure.section;
            let _ = write!(
                md,
                "\n## {section}\n\n| figure | value | floor | floor value | ratio | SPEC §9 target |\n|---|---:|---|---:|---:|---|\n"
            );
        }
        let target = verdict(figure.target.as_deref(), figure.met);
        let _ = writeln!(
            md,
            "| {} | {} {} | {} | {} {} | {:.2}× | {} |",
            figure.name,
            number(figure.value),
            figure.unit,
            figure.floor_name,
            number(figure.floor),
            figure.unit,
            figure.ratio,
            target
        );
    }
    let _ = write!(
        md,
        "\n## Web app (Lighthouse {}, Debian's Chromium, simulated mobile; SPEC §10)\n\n| figure | value | target |\n|---|---:|---|\n",
        web.lighthouse
    );
    for figure in &web.figures {
        let target = verdict(figure.target.as_deref(), figure.met);
        let _ = writeln!(
            md,
            "| {} | {} {} | {} |",
            figure.name,
            number(figure.value),
            figure.unit,
            target
        );
    }
    md.push_str("\n## Notes\n\n");
    for note in notes {
        let _ = writeln!(md, "- {note}");
    }
    std::fs::write(dir.join("report.md"), md)?;
    Ok(())
}

fn verdict(target: Option<&str>, met: Option<bool>) -> String {
    match (target, met) {
        (Some(target), Some(true)) => format!("{target}: **met**"),
        (Some(target), Some(false)) => format!("{target}: **not met**"),
        _ => String::new(),
    }
}

fn number(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}
