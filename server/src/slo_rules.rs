//! `octoscope slo rules [--dir DIR] [--out DIR]`: Prometheus recording and alerting rules for the
//! SLOs of a folder. Valid SLOs are written even when others are broken; the broken ones are
//! reported and make the exit status non-zero, so CI notices.

use app::model::slo::{rules_yaml, SloEntry};
use std::path::{Path, PathBuf};

/// The file name the rules are written to inside `--out`.
pub const RULES_FILE: &str = "slos.yml";

pub struct Generated {
    pub yaml: String,
    pub count: usize,
    /// `name (file): why` for every SLO left out.
    pub problems: Vec<String>,
}

pub fn generate(dir: &Path) -> Generated {
    let entries = app::backend::slo::load_dir(dir);
    let mut slos = Vec::new();
    let mut problems = Vec::new();
    for e in &entries {
        match e {
            SloEntry::Ok(s) => slos.push(s.as_ref()),
            SloEntry::Invalid {
                name,
                source,
                error,
            } => problems.push(format!("{name} ({source}): {error}")),
        }
    }
    Generated {
        yaml: rules_yaml(&slos),
        count: slos.len(),
        problems,
    }
}

/// Runs the subcommand with its arguments (after `slo rules`); returns the exit code.
pub fn run(args: &[String]) -> Result<u8, String> {
    let mut dir: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dir" => dir = Some(it.next().ok_or("--dir needs a folder")?.into()),
            "--out" => out = Some(it.next().ok_or("--out needs a folder")?.into()),
            other => return Err(format!("unknown argument {other:?} to `slo rules`")),
        }
    }
    let dir = dir.unwrap_or_else(|| {
        std::env::var("OCTOSCOPE_PROVISIONING")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from("provisioning"))
            .join("slos")
    });
    if !dir.is_dir() {
        return Err(format!(
            "{} is not a folder; pass the SLO folder with --dir",
            dir.display()
        ));
    }
    let g = generate(&dir);
    for p in &g.problems {
        eprintln!("octoscope: SLO left out: {p}");
    }
    match out {
        Some(out) => {
            std::fs::create_dir_all(&out)
                .map_err(|e| format!("cannot create {}: {e}", out.display()))?;
            let path = out.join(RULES_FILE);
            std::fs::write(&path, &g.yaml)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!(
                "octoscope: wrote rules for {} SLOs to {}",
                g.count,
                path.display()
            );
        }
        None => print!("{}", g.yaml),
    }
    Ok(if g.problems.is_empty() { 0 } else { 1 })
}
