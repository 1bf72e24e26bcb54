//! In-process benchmarks of the pipeline's stages (`cargo bench` in
//! `bench/pipeline/`).
//!
//! The dossiers are the example portfolio in `content/`, cycled under new
//! ids to make larger portfolios, and held in memory: these numbers leave
//! out the file system, which `bench/run.sh` measures with whole builds.
//!
//! - `read_and_judge/N`: `dossier::load_text` and `framework::judge` of N
//!   dossiers from their bytes;
//! - `render/pilot_page`: one diagnosis page (view model, markdown story,
//!   template);
//! - `render/index_10000`: the portfolio page of 10,000 pilots.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use jiff::civil::Date;
use pilotscope::dossier::DossierFile;
use pilotscope::project::{Entry, Judged, Project};
use pilotscope::site::{self, Page, Site};

const AS_OF: Date = jiff::civil::date(2026, 11, 24);

/// The example dossiers: (file name, bytes).
fn examples(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(root.join("content"))
        .expect("content/ of the repository")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && !n.starts_with('_') && n != "faq.md")
        .map(|n| {
            let bytes = std::fs::read(root.join("content").join(&n)).expect("an example dossier");
            (n, bytes)
        })
        .collect();
    files.sort();
    files
}

/// `n` dossiers cycled from the examples, each with its own id.
fn portfolio(examples: &[(String, Vec<u8>)], n: usize) -> Vec<(String, &[u8])> {
    (0..n)
        .map(|i| {
            let (name, bytes) = &examples[i % examples.len()];
            (
                format!("{}-{i}.md", name.trim_end_matches(".md")),
                bytes.as_slice(),
            )
        })
        .collect()
}

fn read_and_judge(project: &Project, files: &[(String, &[u8])]) -> Vec<Entry> {
    files
        .iter()
        .map(|(rel, bytes)| {
            let id = pilotscope::dossier::read::id_from_path(rel);
            let source = format!("content/{rel}");
            let loaded = pilotscope::dossier::load_text(bytes, &source, rel, &id);
            let judged = loaded.dossier.map(|d| {
                let g = pilotscope::framework::judge(
                    &d,
                    &project.framework,
                    AS_OF,
                    project.config.stale_days,
                );
                (d, g)
            });
            Entry {
                file: DossierFile {
                    path: project.content_dir().join(rel),
                    rel_path: rel.clone(),
                    source,
                    id,
                },
                diagnostics: loaded.diagnostics,
                judged,
                digest: pilotscope::dossier::read::digest(bytes),
            }
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    // This package is bench/pipeline/ of the repository.
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let project = Project::open(root).expect("the repository's pilotscope.toml");
    let examples = examples(root);
    let templates = site::load_templates(&project).expect("the shipped templates");
    let faq = site::load_faq(&project);

    let mut group = c.benchmark_group("read_and_judge");
    for n in [100, 1_000] {
        let files = portfolio(&examples, n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &files, |b, files| {
            b.iter(|| read_and_judge(&project, black_box(files)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("render");
    let small = Judged::from_entries(
        read_and_judge(&project, &portfolio(&examples, examples.len())),
        Vec::new(),
        AS_OF,
    );
    let s = Site::new(&project, &small, &templates, &faq);
    let pilot = (0..small.entries.len())
        .find(|i| small.entries[*i].judged.is_some())
        .map(Page::Pilot)
        .expect("a readable example");
    group.bench_function("pilot_page", |b| {
        b.iter(|| s.render(black_box(pilot)).expect("renders"))
    });

    let large = Judged::from_entries(
        read_and_judge(&project, &portfolio(&examples, 10_000)),
        Vec::new(),
        AS_OF,
    );
    let s = Site::new(&project, &large, &templates, &faq);
    group.sample_size(10);
    group.bench_function("index_10000", |b| {
        b.iter(|| s.render(black_box(Page::Index)).expect("renders"))
    });
    group.finish();
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
