use crate::format::{ConvGeometry, Layer};
use crate::kernels::{OutputStage, weights};

/// 2-D convolution, HWC activations, weights `[out][kh][kw][in]`:
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
    let w = weights(&layer.weights);
    let (ih, iw, ic) = (layer.input.height as i32, layer.input.width as i32, layer.input.channels as usize);
    let (oh, ow, oc) = (layer.output.height as usize, layer.output.width as usize, layer.output.channels as usize);
    let (kh, kw) = (g.kernel[0] as usize, g.kernel[1] as usize);
    let zp = input_zero_point as i32;
    for oy in 0..oh {
        for ox in 0..ow {
            for o in 0..oc {
                let mut sum = 0i32;
                for ky in 0..kh {
                    let iy = (oy * g.stride[0] as usize + ky) as i32 - g.padding[0] as i32;
                    if iy < 0 || iy >= ih {
                        continue;
                    }
                    for kx in 0..kw {
                        let ix = (ox * g.stride[1] as usize + kx) as i32 - g.padding[1] as i32;
                        if ix < 0 || ix >= iw {
                            continue;
                        }
                        let x = &input[(iy as usize * iw as usize + ix as usize) * ic..][..ic];
                        let k = &w[((o * kh + ky) * kw + kx) * ic..][..ic];
                        for (&wi, &xi) in k.iter().zip(x) {
                            sum = sum.wrapping_add(wi as i32 * (xi as i32 - zp));
                        }
                    }
                }
                output[(oy * ow + ox) * oc + o] = stage.finish(o, sum);
            }
        }
    }
}
