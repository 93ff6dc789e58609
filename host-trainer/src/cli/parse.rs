//! Small parsers and helpers several commands share.

/// `WIDTHxHEIGHT`, e.g. `128x64`, both sides at least 1.
pub fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(|| format!("'{s}' is not WIDTHxHEIGHT, e.g. 128x64"))?;
    let w = w.parse().map_err(|_| format!("bad width in '{s}'"))?;
    let h = h.parse().map_err(|_| format!("bad height in '{s}'"))?;
    if w == 0 || h == 0 {
        return Err(format!("display size '{s}' has a zero side"));
    }
    Ok((w, h))
}

/// Seconds since 1970, for default run folder names.
pub fn timestamp() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

