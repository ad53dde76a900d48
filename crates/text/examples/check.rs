//! `cargo run -p shoutu-text --example check -- [--json] FILE…`: the same
//! output as `shoutu check`, for trying the engine without the CLI crate.

use std::path::PathBuf;

fn main() {
    let mut json = false;
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        if arg == "--json" {
            json = true;
        } else {
            files.push(PathBuf::from(arg));
        }
    }
    let code = shoutu_text::proofread::run_check_cli(&files, json, &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(code);
}
