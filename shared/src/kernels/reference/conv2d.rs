use crate::format::{ConvGeometry, Layer};
use crate::geometry::conv_source;
use crate::kernels::{OutputStage, Weights};

/// 2-D convolution, HWC activations, weights `(out, ky · kw + kx, in)`:
/// `out[y][x][o] = Σ w[o][ky][kx][c] · (in[y·s − p + ky][x·s − p + kx][c] − zp_in)`
/// over taps that fall inside the input.
pub fn conv2d(
    layer: &Layer<'_>,
    g: ConvGeometry,
    input_zero_point: i8,
    input: &[i8],
    output: &mut [i8],
) {
    let stage = OutputStage::of(layer);
    let w = Weights::of(layer);
    let (ih, iw, ic) = (layer.input.height, layer.input.width, layer.input.channels as usize);
    let (oh, ow, oc) = (layer.output.height as usize, layer.output.width as usize, layer.output.channels as usize);
    let (kh, kw) = (g.kernel[0] as usize, g.kernel[1] as usize);
    let zp = input_zero_point as i32;
    for oy in 0..oh {
        for ox in 0..ow {
            for o in 0..oc {
                let mut sum = 0i32;
                for ky in 0..kh {
                    let Some(iy) = conv_source(oy as i32, ky as i32, g.stride[0], g.padding[0], ih) else {
                        continue;
                    };
                    for kx in 0..kw {
                        let Some(ix) = conv_source(ox as i32, kx as i32, g.stride[1], g.padding[1], iw) else {
                            continue;
                        };
                        let x = &input[(iy * iw as usize + ix) * ic..][..ic];
                        for (c, &xi) in x.iter().enumerate() {
                            sum = sum.wrapping_add(w.get(o, ky * kw + kx, c) * (xi as i32 - zp));
                        }
                    }
                }
                output[(oy * ow + ox) * oc + o] = stage.finish(o, sum);
            }
        }
    }
}
