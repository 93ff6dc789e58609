//! Runs a whole model: latent (and class, or prompt) in, image codes out
//! ([`generate`], [`generate_with`]), or image codes in, image codes out
//! ([`translate`]).
//!
//! All memory comes from the caller's scratch buffer of
//! [`Model::scratch_len`] bytes, so a board can use a static buffer and the
//! host can refuse a model that will not fit before flashing it. The
//! buffer is split as [`crate::format::ScratchPlan`] says.

use crate::format::{MAX_KEPT, Model, ModelError, Placement, Region};
use crate::kernels::optimized::{run_layer, staging_region};
use crate::latent::LATENT_ONE;
use crate::text::mean_embedding;
use core::ops::Range;

/// What a generator is asked to draw besides its latent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition<'h> {
    /// Nothing: an unconditional model's sample, or a text model's
    /// unconditional one (the empty prompt).
    None,
    /// A class of a class-conditional model.
    Class(u16),
    /// The known words of a prompt ([`crate::text::Prompt::known`]) for a
    /// text model; no word is the empty prompt.
    Words(u64),
    /// What a sound model's encoder heard: one logit code per label
    /// ([`crate::hearing::Heard::condition`]).
    Heard(&'h [i8]),
}

/// Generates one image.
///
/// `latent` holds `latent_dim` codes from [`crate::LatentSampler`]; `class`
/// selects the class of a conditional model (it becomes a one-hot vector
/// after the latent) and must be `None` for an unconditional one. Returns
/// the image as `height × width × channels` codes in HWC order, code `c`
/// standing for `c / 128` (see [`crate::pixels`]), borrowed from `scratch`.
pub fn generate<'s>(
    model: &Model<'_>,
    latent: &[i8],
    class: Option<u16>,
    scratch: &'s mut [i8],
) -> Result<&'s [i8], ModelError> {
    generate_with(model, latent, class.map_or(Condition::None, Condition::Class), scratch)
}

/// Generates one image for any [`Condition`]: as [`generate`], and for a
/// text model the latent followed by the mean embedding of the prompt's
/// words (zeros for the empty prompt, which a text model is trained to
/// draw as an unconditional sample).
pub fn generate_with<'s>(
    model: &Model<'_>,
    latent: &[i8],
    condition: Condition<'_>,
    scratch: &'s mut [i8],
) -> Result<&'s [i8], ModelError> {
    let header = model.header();
    if model.is_translator() {
        return Err(ModelError::WrongKind { translator: true });
    }
    if latent.len() != header.latent_dim as usize {
        return Err(ModelError::LatentLength { found: latent.len(), expected: header.latent_dim });
    }
    let text = model.text();
    let labels = model.labels().map_or(0, |l| l.len());
    let heard = match condition {
        Condition::Heard(_) if labels == 0 => return Err(ModelError::Heard { sound_model: false }),
        Condition::Heard(codes) if codes.len() != labels => {
            return Err(ModelError::HeardLength { found: codes.len(), expected: labels });
        }
        Condition::Heard(codes) => codes,
        _ if labels > 0 => return Err(ModelError::Heard { sound_model: true }),
        _ => &[],
    };
    let (one_hot, words) = match (condition, header.classes, text) {
        (Condition::Heard(_), _, _) => (None, 0),
        (Condition::None, 0, _) => (None, 0),
        (Condition::Class(c), n, _) if c < n => (Some(c as usize), 0),
        (Condition::Words(_), _, None) => return Err(ModelError::NoVocabulary),
        (Condition::Words(known), _, Some(_)) => (None, known),
        (Condition::Class(c), classes, _) => return Err(ModelError::Class { requested: Some(c), classes }),
        (Condition::None, classes, _) => return Err(ModelError::Class { requested: None, classes }),
    };
    let vocabulary_len = model.vocabulary().map_or(0, |v| v.len());
    if vocabulary_len < 64 && words >> vocabulary_len != 0 {
        return Err(ModelError::WordPastVocabulary { words: vocabulary_len });
    }
    run(model, scratch, |input| {
        input[..latent.len()].copy_from_slice(latent);
        let condition = &mut input[latent.len()..];
        condition.fill(0);
        if let Some(c) = one_hot {
            condition[c] = LATENT_ONE;
        }
        if let Some(text) = text {
            // Model::parse checked the table is words × dim, and `words`
            // only names rows of it.
            let _ = mean_embedding(text.embedding.as_slice(), vocabulary_len, words, condition);
        }
        condition[..heard.len()].copy_from_slice(heard);
    })
}

/// Translates one image.
///
/// `image` holds the translator's input as `height × width × channels`
/// codes in HWC order, quantized as the header's
/// [`crate::format::ImageInput`] says (for pocketgan's translators code `c`
/// stands for `c / 128`: [`crate::pixels::code_of_gray`] makes them from
/// 8-bit pixels). Returns the output image as [`generate`] does.
pub fn translate<'s>(model: &Model<'_>, image: &[i8], scratch: &'s mut [i8]) -> Result<&'s [i8], ModelError> {
    if !model.is_translator() {
        return Err(ModelError::WrongKind { translator: false });
    }
    if image.len() != model.input_len() {
        return Err(ModelError::ImageLength { found: image.len(), expected: model.input_len() });
    }
    run(model, scratch, |input| input.copy_from_slice(image))
}

/// A kept output's place in the activation regions.
#[derive(Clone, Copy)]
struct KeptRange {
    start: usize,
    len: usize,
    channels: usize,
}

/// Runs every layer; `fill` writes the input codes.
fn run<'s>(model: &Model<'_>, scratch: &'s mut [i8], fill: impl FnOnce(&mut [i8])) -> Result<&'s [i8], ModelError> {
    let plan = model.scratch_plan();
    if scratch.len() < plan.total() {
        return Err(ModelError::ScratchTooSmall { needed: plan.total(), available: scratch.len() });
    }
    let (acts, rest) = scratch.split_at_mut(plan.activations());
    let staging = staging_region(rest);
    let kept_start = plan.even + plan.odd;
    let region_start = |region| match region {
        Region::Even => 0,
        Region::Odd => plan.even,
        Region::Kept => kept_start,
    };
    let input_len = model.input_len();
    fill(&mut acts[..input_len]);

    let mut stack = [KeptRange { start: 0, len: 0, channels: 0 }; MAX_KEPT];
    let mut depth = 0;
    let mut placement = Placement::new();
    let mut current = 0..input_len;
    let mut current_channels = 0;
    for (index, layer) in model.layers().enumerate() {
        let layer = layer?;
        let step = placement.step(layer.skip.is_some(), model.is_kept(index as u16));
        let source = match step.join_into {
            None => current.clone(),
            Some(region) => {
                // Model::parse checked that the latest kept output is the
                // one named, of the same height and width.
                depth -= 1;
                let at = region_start(region);
                join(acts, current.clone(), current_channels, stack[depth], at);
                at..at + layer.input.elements().unwrap_or(0) as usize
            }
        };
        let out_len = layer.output.elements().unwrap_or(0) as usize;
        let start = match step.output {
            Region::Kept => {
                let start = stack[..depth].last().map_or(kept_start, |k| k.start + k.len);
                stack[depth] = KeptRange { start, len: out_len, channels: layer.output.channels as usize };
                depth += 1;
                start
            }
            region => region_start(region),
        };
        let destination = start..start + out_len;
        let (src, dst) = disjoint(acts, source, destination.clone());
        run_layer(&layer, layer.input_zero_point, src, dst, staging);
        current = destination;
        current_channels = layer.output.channels as usize;
    }
    Ok(&acts[current])
}

/// Writes, at `at`, each pixel of `previous` (`channels` codes) followed by
/// the same pixel of the kept output `skip`: the channel concatenation.
fn join(acts: &mut [i8], previous: Range<usize>, channels: usize, skip: KeptRange, at: usize) {
    let pixels = skip.len / skip.channels.max(1);
    let width = channels + skip.channels;
    for p in 0..pixels {
        let out = at + p * width;
        acts.copy_within(previous.start + p * channels..previous.start + (p + 1) * channels, out);
        acts.copy_within(skip.start + p * skip.channels..skip.start + (p + 1) * skip.channels, out + channels);
    }
}

/// `buf[source]` to read and `buf[destination]` to write, which the plan
/// keeps apart.
fn disjoint(buf: &mut [i8], source: Range<usize>, destination: Range<usize>) -> (&[i8], &mut [i8]) {
    if source.end <= destination.start {
        let (head, tail) = buf.split_at_mut(destination.start);
        (&head[source], &mut tail[..destination.len()])
    } else {
        let (head, tail) = buf.split_at_mut(source.start);
        (&tail[..source.len()], &mut head[destination])
    }
}
