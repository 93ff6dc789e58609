//! Loss curves of a run, drawn with plotters to PNG and SVG: at the end of
//! training, when it stops, and on demand with `pocketgan plot RUN` (also
//! while the run is still training: `losses.csv` is written every step).

use crate::render::font::register_font;
use anyhow::{Context, Result, bail};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Size of the pictures, pixels.
const SIZE: (u32, u32) = (900, 420);
/// Steps the smoothed curves average over, as a share of the run: long
/// runs get calm curves, short ones still follow their start.
const SMOOTHING_SHARE: usize = 30;

/// One training step's losses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LossRow {
    /// The step.
    pub step: usize,
    /// Discriminator (critic) loss.
    pub d_loss: f64,
    /// Generator loss.
    pub g_loss: f64,
}

/// Reads a CSV whose first columns are `step,d_loss,g_loss`: an image
/// run's `losses.csv`, or a toy run's `metrics.csv` (more columns after).
/// A row with fewer fields than the header (a run killed while writing it)
/// is skipped.
pub fn read_losses(path: &Path) -> Result<Vec<LossRow>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {} (is its folder a pocketgan run?)", path.display()))?;
    let mut lines = text.lines();
    let header = lines.next().map(str::trim).unwrap_or("");
    if !(header == "step,d_loss,g_loss" || header.starts_with("step,d_loss,g_loss,")) {
        bail!("{} is not a losses file (its first line should start with step,d_loss,g_loss)", path.display());
    }
    let columns = header.split(',').count();
    let rows = lines
        .filter_map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            (f.len() == columns).then_some(())?;
            Some(LossRow { step: f[0].parse().ok()?, d_loss: f[1].parse().ok()?, g_loss: f[2].parse().ok()? })
        })
        .collect();
    Ok(rows)
}

/// Draws the losses of the run in `folder` to `losses.png` and
/// `losses.svg` there: every step from an image run's `losses.csv`, or each
/// evaluation from a toy run's `metrics.csv`. Returns the two paths.
pub fn loss_curves(folder: &Path) -> Result<[PathBuf; 2]> {
    let (losses, toy_metrics) = (folder.join("losses.csv"), folder.join("metrics.csv"));
    let source = if !losses.exists() && toy_metrics.exists() { toy_metrics } else { losses };
    let rows = read_losses(&source)?;
    if rows.is_empty() {
        bail!("{} has no steps yet: plot again once training has done a step", source.display());
    }
    let title = folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let png = folder.join("losses.png");
    let svg = folder.join("losses.svg");

    register_font();
    let mut rgb = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    draw(BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area(), &rows, &title)?;
    crate::render::grid::save_rgb_png(&png, &rgb, SIZE.0, SIZE.1)?;

    let mut text = String::new();
    draw(SVGBackend::with_string(&mut text, SIZE).into_drawing_area(), &rows, &title)?;
    crate::files::write_atomic(&svg, text.as_bytes())?;
    Ok([png, svg])
}

/// The weight of the newest value in an exponential moving average over
/// about 1/SMOOTHING_SHARE of `steps` (at least 3 steps).
fn smoothing_weight(steps: usize) -> f64 {
    let window = (steps / SMOOTHING_SHARE).max(3) as f64;
    2.0 / (window + 1.0)
}

/// Exponential moving average of `values` with weight `alpha`, skipping
/// non-finite ones.
fn smoothed(values: impl Iterator<Item = (usize, f64)>, alpha: f64) -> Vec<(f64, f64)> {
    let mut avg = None;
    values
        .filter(|(_, v)| v.is_finite())
        .map(|(s, v)| {
            let a = avg.map_or(v, |a: f64| a + alpha * (v - a));
            avg = Some(a);
            (s as f64, a)
        })
        .collect()
}

/// The loss range to show: 1st to 99th percentile of the finite values,
/// padded, so one wild step does not flatten every other.
fn value_range(rows: &[LossRow]) -> (f64, f64) {
    let mut v: Vec<f64> = rows.iter().flat_map(|r| [r.d_loss, r.g_loss]).filter(|v| v.is_finite()).collect();
    if v.is_empty() {
        return (0.0, 1.0);
    }
    v.sort_by(f64::total_cmp);
    let lo = v[v.len() / 100];
    let hi = v[(v.len() * 99 / 100).min(v.len() - 1)];
    let pad = ((hi - lo) * 0.08).max(1e-3);
    (lo - pad, hi + pad)
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, rows: &[LossRow], title: &str) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("drawing the loss curves: {e:?}");
    root.fill(&WHITE).map_err(err)?;
    let last = rows.last().expect("rows is not empty");
    let diverged = !(last.d_loss.is_finite() && last.g_loss.is_finite());
    let caption = if diverged {
        format!("{title}: losses (diverged at step {})", last.step)
    } else {
        format!("{title}: losses, {} steps", last.step)
    };
    let (lo, hi) = value_range(rows);
    let x_end = (last.step as f64).max(rows[0].step as f64 + 1.0);
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(rows[0].step as f64..x_end, lo..hi)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc("loss")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(err)?;
    let d_color = RGBColor(31, 119, 180);
    let g_color = RGBColor(230, 120, 20);
    let alpha = smoothing_weight(rows.len());
    let series = [("discriminator", d_color, true), ("generator", g_color, false)];
    for (name, color, is_d) in series {
        let raw = rows.iter().map(|r| (r.step, if is_d { r.d_loss } else { r.g_loss }));
        let points: Vec<(f64, f64)> =
            raw.clone().filter(|(_, v)| v.is_finite()).map(|(s, v)| (s as f64, v.clamp(lo, hi))).collect();
        chart.draw_series(LineSeries::new(points, color.mix(0.25).stroke_width(1))).map_err(err)?;
        chart
            .draw_series(LineSeries::new(smoothed(raw, alpha), color.stroke_width(2)))
            .map_err(err)?
            .label(format!("{name} (smoothed)"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .border_style(BLACK.mix(0.3))
        .background_style(WHITE.mix(0.85))
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_and_skips_a_half_written_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("losses.csv");
        std::fs::write(&path, "step,d_loss,g_loss\n1,1.5,0.5\n2,NaN,0.25\n3,1.").unwrap();
        let rows = read_losses(&path).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0], LossRow { step: 1, d_loss: 1.5, g_loss: 0.5 });
        assert!(rows[1].d_loss.is_nan());
        std::fs::write(&path, "x,y\n").unwrap();
        assert!(read_losses(&path).unwrap_err().to_string().contains("not a losses file"));
        // A toy run's metrics: losses first, more columns after.
        std::fs::write(&path, "step,d_loss,g_loss,modes\n0,1.5,0.5,0\n250,1.25,0.75,3\n500,1.0").unwrap();
        let rows = read_losses(&path).unwrap();
        assert_eq!(rows, [LossRow { step: 0, d_loss: 1.5, g_loss: 0.5 }, LossRow { step: 250, d_loss: 1.25, g_loss: 0.75 }]);
    }

    #[test]
    fn range_ignores_outliers_and_smoothing_skips_nan() {
        let mut rows: Vec<LossRow> = (1..=200).map(|s| LossRow { step: s, d_loss: 1.0, g_loss: 2.0 }).collect();
        rows[100].g_loss = 1e9;
        let (lo, hi) = value_range(&rows);
        assert!(lo < 1.0 && hi > 2.0 && hi < 3.0, "{lo}..{hi}");
        let s = smoothed([(1, 1.0), (2, f64::NAN), (3, 2.0)].into_iter(), 0.25);
        assert_eq!(s.len(), 2);
        assert!((s[1].1 - 1.25).abs() < 1e-12);
        assert_eq!(smoothing_weight(10), 0.5);
        assert!((smoothing_weight(6000) - 2.0 / 201.0).abs() < 1e-12);
    }

    #[test]
    fn draws_png_and_svg_with_text() {
        let dir = tempfile::tempdir().unwrap();
        let mut csv = String::from("step,d_loss,g_loss\n");
        for s in 1..=300 {
            csv += &format!("{s},{},{}\n", 1.4 - s as f32 / 1000.0, 0.7 + (s as f32 / 20.0).sin() * 0.1);
        }
        std::fs::write(dir.path().join("losses.csv"), csv).unwrap();
        let [png, svg] = loss_curves(dir.path()).unwrap();
        let img = image::open(&png).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), SIZE);
        // Both curves' colours appear.
        let has = |c: [u8; 3]| img.pixels().any(|p| p.0 == c);
        assert!(has([31, 119, 180]) && has([230, 120, 20]));
        let text = std::fs::read_to_string(svg).unwrap();
        assert!(text.contains("<svg") && text.contains("discriminator (smoothed)") && text.contains("300 steps"));
    }
}
