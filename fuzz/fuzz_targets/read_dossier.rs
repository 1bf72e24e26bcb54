//! Any bytes through `dossier::load_text`: it must return (a dossier or
//! located diagnostics) and never panic, loop or blow the stack.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let loaded = pilotscope::dossier::load_text(bytes, "content/fuzz.md", "fuzz.md", "fuzz");
    // Errors and a dossier never come together.
    let has_error = loaded.diagnostics.iter().any(|d| d.is_error());
    assert_eq!(has_error, loaded.dossier.is_none(), "{:?}", loaded.diagnostics);
    // Every diagnostic can be shown (its location lies inside the file).
    for d in &loaded.diagnostics {
        let _ = d.to_string();
    }
});
