//! Latency samples, their percentiles, and their histograms as PNG.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use plotters::prelude::*;

/// Latencies of one figure, sorted.
pub struct Latencies {
    sorted: Vec<Duration>,
    /// Wall time of the whole run, for the rate.
    pub wall: Duration,
}

impl Latencies {
    pub fn new(mut samples: Vec<Duration>, wall: Duration) -> Self {
        samples.sort();
        Self {
            sorted: samples,
            wall,
        }
    }

    /// The `p`th percentile (nearest rank), in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.sorted.is_empty() {
            return f64::NAN;
        }
        let rank = (p / 100.0 * self.sorted.len() as f64).ceil() as usize;
        self.sorted[rank.clamp(1, self.sorted.len()) - 1].as_secs_f64() * 1e3
    }

    pub fn per_second(&self) -> f64 {
        self.sorted.len() as f64 / self.wall.as_secs_f64()
    }

    pub fn count(&self) -> usize {
        self.sorted.len()
    }

    /// A histogram of the latencies up to the 99.9th percentile, in 60 buckets, as a PNG.
    pub fn histogram(&self, title: &str, path: &Path) -> Result<()> {
        let top = self.percentile_ms(99.9).max(0.001);
        let bucket = top / 60.0;
        let mut counts = vec![0_u32; 61];
        for sample in &self.sorted {
            let ms = sample.as_secs_f64() * 1e3;
            counts[((ms / bucket) as usize).min(60)] += 1;
        }
        let highest = counts.iter().copied().max().unwrap_or(1);
        let root = BitMapBackend::new(path, (900, 500)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!(
                    "{title}: n={}, p50 {:.2} ms, p99 {:.2} ms",
                    self.count(),
                    self.percentile_ms(50.0),
                    self.percentile_ms(99.0)
                ),
                ("sans-serif", 20),
            )
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..top + bucket, 0..highest + highest / 10 + 1)?;
        chart
            .configure_mesh()
            .x_desc("latency (ms)")
            .y_desc("requests")
            .disable_x_mesh()
            .draw()?;
        chart.draw_series(counts.iter().enumerate().map(|(i, count)| {
            let from = i as f64 * bucket;
            Rectangle::new([(from, 0), (from + bucket, *count)], BLUE.mix(0.6).filled())
        }))?;
        root.present()
            .with_context(|| format!("write {}", path.display()))?;
        Ok(())
    }
}

/// Lets plotters draw text with DejaVu Sans (Debian's `fonts-dejavu-core`).
pub fn load_font() -> Result<()> {
    const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    let bytes = std::fs::read(FONT).with_context(|| format!("read {FONT}"))?;
    plotters::style::register_font("sans-serif", FontStyle::Normal, Box::leak(bytes.into()))
        .map_err(|_| anyhow::anyhow!("{FONT} is not a font"))
}
