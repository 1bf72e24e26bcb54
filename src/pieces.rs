//! One large file made of many small pieces (the index's rows, the board
//! pack's pilots, `report.json`'s pilots): the pieces are rendered on every
//! core, a group at a time, and written in their order.

use std::io::Write;

use rayon::prelude::*;

/// Renders `items` `per_piece` at a time with `render`, one group of a
/// piece a core at once, and writes the pieces to `w` in order with
/// `separator` between them. Memory holds one group, so a file of 50,000
/// pilots is never whole in it. `w` is flushed before each group: the
/// build's writer answers a flush with an error once a newer change has
/// arrived (`site::build`'s `Abandoning`), so a file being left stops
/// within a group, not at its end.
pub fn write_in_order<T, P, E>(
    w: &mut dyn Write,
    items: &[T],
    per_piece: usize,
    separator: &[u8],
    render: impl Fn(&[T]) -> Result<P, E> + Sync,
) -> Result<(), E>
where
    T: Sync,
    P: AsRef<[u8]> + Send,
    E: From<std::io::Error> + Send,
{
    let per_piece = per_piece.max(1);
    let at_once = per_piece * rayon::current_num_threads().max(1);
    let mut first = true;
    for group in items.chunks(at_once) {
        w.flush()?;
        let pieces: Vec<Result<P, E>> = group.par_chunks(per_piece).map(&render).collect();
        for piece in pieces {
            if !first {
                w.write_all(separator)?;
            }
            first = false;
            w.write_all(piece?.as_ref())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_come_out_in_order_with_the_separator_between_them() {
        let items: Vec<u32> = (0..1000).collect();
        let mut out = Vec::new();
        write_in_order(&mut out, &items, 7, b",", |chunk| {
            Ok::<_, std::io::Error>(
                chunk
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            )
        })
        .unwrap();
        let expected = items
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(String::from_utf8(out).unwrap(), expected);
        let mut none = Vec::new();
        write_in_order(&mut none, &[] as &[u32], 7, b",", |_| {
            Ok::<_, std::io::Error>(String::from("x"))
        })
        .unwrap();
        assert!(none.is_empty());
    }
}
