//! The bound on a story's size, counted when a dossier is read.
//!
//! pulldown-cmark keeps a node for nearly every mark of markdown before it
//! yields an event, so a story's memory grows with its marks, not its
//! bytes. The bound is checked here, where the dossier is read, so `check`
//! reports it too; `site::markdown` renders only stories within it.

/// Most marks of markdown a story may hold: characters that can open or
/// close an element (`>`, `[`, `|`, `*`, list markers…) and line breaks.
/// The parser keeps a node for nearly each, and rendering an event or more,
/// so the memory a story takes grows with them (4 M `>` took 1.3 GB); at
/// this bound the worst story takes under ~200 MB, and a long story of
/// prose stays far below it.
pub const MAX_MARKS: usize = 300_000;

/// Whether a byte is one of the marks [`MAX_MARKS`] counts.
fn is_mark(b: u8) -> bool {
    matches!(
        b,
        b'>' | b'['
            | b']'
            | b'|'
            | b'*'
            | b'_'
            | b'`'
            | b'~'
            | b'<'
            | b'!'
            | b'\\'
            | b'&'
            | b'\n'
            | b'-'
            | b'+'
            | b'#'
            | b'.'
            | b')'
            | b':'
    )
}

/// The byte offset in `text` where its marks pass `limit`, if they do
/// (the renderer also asks it whether a story is heavy).
pub fn passes(text: &str, limit: usize) -> Option<usize> {
    let mut n = 0usize;
    for (i, b) in text.bytes().enumerate() {
        if is_mark(b) {
            n += 1;
            if n > limit {
                return Some(i);
            }
        }
    }
    None
}

/// The byte offset in `text` where it passes [`MAX_MARKS`], if it does: such
/// a story is not rendered (the dossier gets an error there instead).
pub fn too_many_marks(text: &str) -> Option<usize> {
    passes(text, MAX_MARKS)
}
