//! `init`: a commented config from the files a planner has.

use std::path::PathBuf;

use anyhow::Result;

#[derive(clap::Args)]
pub(crate) struct InitArgs {
    /// Input files: layers, a census CSV, an OpenStreetMap extract.
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// The config to write (never overwritten).
    #[arg(
        long,
        short,
        value_name = "CONFIG.toml",
        default_value = "remoteness.toml"
    )]
    pub(crate) out: PathBuf,
    /// Print only errors.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

pub(crate) fn init(args: InitArgs) -> Result<()> {
    let guesses = remoteness::init::write_config(&args.files, &args.out)?;
    say!("Wrote {}", args.out.display());
    for l in &guesses.layers {
        say!(
            "  {:<12} {}: {}",
            format!("{:?}", l.role).to_lowercase(),
            l.path.display(),
            l.why
        );
    }
    let missing = guesses.missing();
    if missing.is_empty() {
        say!(
            "Every field the run needs was guessed: check them, then run\n  remoteness run {} --out out",
            args.out.display()
        );
    } else {
        say!("Not guessed (see the `# key = ?` comments in the config):");
        for m in &missing {
            say!("  {m}");
        }
    }
    Ok(())
}
