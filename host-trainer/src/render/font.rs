//! The font every picture's text is drawn in.

use plotters::style::FontStyle;
use std::sync::Once;

/// plotters draws text with ab_glyph from a registered font; DejaVu Sans
/// is compiled in so pictures look the same on every machine.
pub fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // DejaVu is a valid TrueType font; a failure would only lose the labels.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font("monospace", FontStyle::Normal, dejavu::sans_mono::regular());
    });
}
