use std::process::ExitCode;

fn main() -> ExitCode {
    match pocketgan_host_trainer::cli::run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  because: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
