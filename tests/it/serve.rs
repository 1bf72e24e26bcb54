//! `pilotscope serve` and `pilotscope watch` from the outside: the real
//! binary on a temporary copy of `tests/fixtures/live`, spoken to over real
//! HTTP (raw request lines, so that nothing normalises a hostile path).
//!
//! Every test that changes a file polls the served pages until the change
//! shows up (up to a generous deadline): they assert on *what* appears,
//! never on how fast.

use crate::live;

use std::io::Write;
use std::net::TcpStream;

use live::{Events, Project, Running, broken_dossier, dossier, error_locations, exchange};

const ALPHA: &str = "/pilots/alpha/index.html";
const BRAVO: &str = "/pilots/bravo/index.html";
const CHARLIE: &str = "/pilots/teams/charlie/index.html";
/// A phrase of the site's own 404 page (templates/404.html).
const NOT_FOUND_TITLE: &str = "Page not found";

fn serve(project: &Project) -> Running {
    Running::serve(&project.root, &[])
}

/// The served page at `path` has answered 404 with the site's 404 page.
fn wait_gone(server: &mut Running, path: &str) {
    server.wait_for(path, 404, NOT_FOUND_TITLE);
}

// ---------------------------------------------------------------- saves

#[test]
fn an_edit_in_place_shows_on_the_served_page() {
    let project = Project::live();
    let mut server = serve(&project);
    assert!(server.get(ALPHA).text().contains("Alpha invoice reader"));
    project.write("content/alpha.md", &dossier("Alpha edited in place"));
    server.wait_for(ALPHA, 200, "Alpha edited in place");
    server.wait_for("/", 200, "Alpha edited in place");
}

#[test]
fn an_atomic_rename_over_save_shows_on_the_served_page() {
    let project = Project::live();
    let mut server = serve(&project);
    let content = project.content();
    std::fs::write(
        content.join(".alpha.md.tmp"),
        dossier("Alpha saved atomically"),
    )
    .unwrap();
    std::fs::rename(content.join(".alpha.md.tmp"), content.join("alpha.md")).unwrap();
    server.wait_for(ALPHA, 200, "Alpha saved atomically");
    // The temporary name was never a dossier.
    assert_eq!(server.get("/pilots/alpha-md/index.html").status, 404);
}

#[test]
fn a_vim_style_save_shows_and_its_leftovers_are_ignored() {
    let project = Project::live();
    let mut server = serve(&project);
    let content = project.content();
    // vim probes whether it may create files in the folder...
    std::fs::write(content.join("4913"), "").unwrap();
    std::fs::remove_file(content.join("4913")).unwrap();
    // ...keeps a swap file while editing, moves the original to a backup,
    // and writes the new text under the original name.
    std::fs::write(content.join(".alpha.md.swp"), b"b0VIM 9.1\0\0\0swap").unwrap();
    std::fs::rename(content.join("alpha.md"), content.join("alpha.md~")).unwrap();
    std::fs::write(content.join("alpha.md"), dossier("Alpha saved by vim")).unwrap();
    server.wait_for(ALPHA, 200, "Alpha saved by vim");

    let report: serde_json::Value =
        serde_json::from_slice(&server.get("/report.json").body).unwrap();
    let mut ids: Vec<&str> = report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        ["alpha", "bravo", "teams/charlie"],
        "the swap file, backup and probe are not dossiers"
    );
    assert!(
        error_locations(&server.status()).is_empty(),
        "leftovers cause no errors: {}",
        server.status()
    );
}

#[test]
fn the_last_of_a_burst_of_quick_saves_wins() {
    let project = Project::live();
    let mut server = serve(&project);
    for i in 1..=20 {
        project.write(
            "content/bravo.md",
            &dossier(&format!("Bravo save number {i}")),
        );
    }
    server.wait_for(BRAVO, 200, "Bravo save number 20<");
    server.wait_for("/report.json", 200, "Bravo save number 20\"");
    // Nothing older comes back later: one more edit is needed to be sure
    // the watcher has caught up with everything before it.
    project.write("content/alpha.md", &dossier("Alpha after the burst"));
    server.wait_for(ALPHA, 200, "Alpha after the burst");
    assert!(server.get(BRAVO).text().contains("Bravo save number 20<"));
}

// ---------------------------------------------------------------- files and folders

#[test]
fn a_new_dossier_gets_a_page_and_a_row() {
    let project = Project::live();
    let mut server = serve(&project);
    project.write("content/delta.md", &dossier("Delta newly written"));
    server.wait_for("/pilots/delta/index.html", 200, "Delta newly written");
    server.wait_for("/", 200, "Delta newly written");
}

#[test]
fn a_deleted_dossier_then_answers_with_the_sites_404_page() {
    let project = Project::live();
    let mut server = serve(&project);
    assert_eq!(server.get(BRAVO).status, 200);
    std::fs::remove_file(project.content().join("bravo.md")).unwrap();
    wait_gone(&mut server, BRAVO);
    let port = server.port;
    server.poll("the index to drop Bravo", || {
        (!live::get(port, "/").text().contains("Bravo route planner")).then_some(())
    });
    assert!(
        !project.site().join("pilots/bravo").exists(),
        "the page and its folder are removed from disk"
    );
}

#[test]
fn a_renamed_dossier_moves_its_page() {
    let project = Project::live();
    let mut server = serve(&project);
    std::fs::rename(
        project.content().join("bravo.md"),
        project.content().join("bravo-renamed.md"),
    )
    .unwrap();
    server.wait_for(
        "/pilots/bravo-renamed/index.html",
        200,
        "Bravo route planner",
    );
    wait_gone(&mut server, BRAVO);
}

#[test]
fn a_new_folder_of_dossiers_gets_pages() {
    let project = Project::live();
    let mut server = serve(&project);
    let folder = project.content().join("finance");
    std::fs::create_dir(&folder).unwrap();
    for name in ["ledger", "payroll", "tax"] {
        std::fs::write(
            folder.join(format!("{name}.md")),
            dossier(&format!("Finance {name}")),
        )
        .unwrap();
    }
    for name in ["ledger", "payroll", "tax"] {
        server.wait_for(
            &format!("/pilots/finance/{name}/index.html"),
            200,
            &format!("Finance {name}"),
        );
    }
}

#[test]
fn a_renamed_folder_moves_its_pages() {
    let project = Project::live();
    let mut server = serve(&project);
    std::fs::rename(
        project.content().join("teams"),
        project.content().join("squads"),
    )
    .unwrap();
    server.wait_for(
        "/pilots/squads/charlie/index.html",
        200,
        "Charlie shift forecast",
    );
    wait_gone(&mut server, CHARLIE);
    // The renamed folder is watched under its new name.
    std::fs::write(
        project.content().join("squads/charlie.md"),
        dossier("Charlie in the squads"),
    )
    .unwrap();
    server.wait_for(
        "/pilots/squads/charlie/index.html",
        200,
        "Charlie in the squads",
    );
}

#[test]
fn a_deleted_folder_removes_its_pages() {
    let project = Project::live();
    let mut server = serve(&project);
    std::fs::remove_dir_all(project.content().join("teams")).unwrap();
    wait_gone(&mut server, CHARLIE);
    // The page may 404 a moment before its emptied folder is removed:
    // wait (bounded) for both.
    let folder = project.site().join("pilots/teams");
    server.poll("the emptied pilots/teams folder to be removed", || {
        (!folder.exists()).then_some(())
    });
}

#[test]
fn a_checkout_of_many_files_at_once_is_rebuilt_whole() {
    let project = Project::live();
    let mut server = serve(&project);
    let content = project.content();
    // Like `git checkout other-branch`: the old dossiers go, 120 new ones
    // arrive in three folders, all without a pause.
    std::fs::remove_file(content.join("alpha.md")).unwrap();
    std::fs::remove_dir_all(content.join("teams")).unwrap();
    let mut expected = vec!["bravo".to_string()];
    for folder in ["north", "south", "west"] {
        std::fs::create_dir(content.join(folder)).unwrap();
        for i in 0..40 {
            std::fs::write(
                content.join(format!("{folder}/site-{i:02}.md")),
                dossier(&format!("{folder} site {i}")),
            )
            .unwrap();
            expected.push(format!("{folder}/site-{i:02}"));
        }
    }
    std::fs::write(
        content.join("bravo.md"),
        dossier("Bravo on the other branch"),
    )
    .unwrap();
    expected.sort();
    let port = server.port;
    server.poll(
        "report.json to list exactly the checked-out dossiers",
        || {
            let report: serde_json::Value =
                serde_json::from_slice(&live::get(port, "/report.json").body).ok()?;
            let mut ids: Vec<String> = report["dossiers"]
                .as_array()?
                .iter()
                .filter_map(|p| p["id"].as_str().map(str::to_string))
                .collect();
            ids.sort();
            (ids == expected).then_some(())
        },
    );
    for id in &expected {
        let r = server.get(&format!("/pilots/{id}/index.html"));
        assert_eq!(r.status, 200, "{id} has a page");
    }
    assert!(
        server
            .get(BRAVO)
            .text()
            .contains("Bravo on the other branch")
    );
    wait_gone(&mut server, ALPHA);
    wait_gone(&mut server, CHARLIE);
}

#[test]
fn a_content_folder_removed_and_created_again_is_still_watched() {
    let project = Project::live();
    let mut server = serve(&project);
    let content = project.content();
    // A checkout that empties a folder removes it, then creates it again.
    std::fs::remove_dir_all(&content).unwrap();
    std::fs::create_dir(&content).unwrap();
    std::fs::write(content.join("alpha.md"), dossier("Alpha in the new folder")).unwrap();
    std::fs::write(content.join("echo.md"), dossier("Echo in the new folder")).unwrap();
    server.wait_for(ALPHA, 200, "Alpha in the new folder");
    server.wait_for("/pilots/echo/index.html", 200, "Echo in the new folder");
    wait_gone(&mut server, CHARLIE);
    wait_gone(&mut server, BRAVO);
    // The new folder is watched, not only looked at once.
    std::fs::write(
        content.join("alpha.md"),
        dossier("Alpha edited in the new folder"),
    )
    .unwrap();
    server.wait_for(ALPHA, 200, "Alpha edited in the new folder");
    std::fs::write(content.join("foxtrot.md"), dossier("Foxtrot added later")).unwrap();
    server.wait_for("/pilots/foxtrot/index.html", 200, "Foxtrot added later");
}

#[test]
fn a_content_folder_swapped_for_another_by_renames_is_read_whole() {
    let project = Project::live();
    let mut server = serve(&project);
    // Deploy scripts swap a whole folder with two renames: the files in
    // the new folder have the old names, and no event of their own.
    let next = project.root.join("content.next");
    std::fs::create_dir(&next).unwrap();
    std::fs::write(
        next.join("alpha.md"),
        dossier("Alpha from the swapped-in folder"),
    )
    .unwrap();
    std::fs::write(
        next.join("bravo.md"),
        dossier("Bravo from the swapped-in folder"),
    )
    .unwrap();
    std::fs::rename(project.content(), project.root.join("content.old")).unwrap();
    std::fs::rename(&next, project.content()).unwrap();
    server.wait_for(ALPHA, 200, "Alpha from the swapped-in folder");
    server.wait_for(BRAVO, 200, "Bravo from the swapped-in folder");
    wait_gone(&mut server, CHARLIE);
    // The folder now called content is the one watched, not the old one.
    std::fs::write(
        project.root.join("content.old/alpha.md"),
        dossier("Alpha in the old folder"),
    )
    .unwrap();
    std::fs::write(
        project.content().join("bravo.md"),
        dossier("Bravo edited after the swap"),
    )
    .unwrap();
    server.wait_for(BRAVO, 200, "Bravo edited after the swap");
    assert!(
        server
            .get(ALPHA)
            .text()
            .contains("Alpha from the swapped-in folder"),
        "an edit in the old folder changed the site"
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_content_folder_is_not_followed_by_a_rebuild_either() {
    let project = Project::live();
    let mut server = serve(&project);
    let outside = project.beside("outside.md");
    std::fs::write(&outside, dossier("Outside the content folder")).unwrap();
    std::os::unix::fs::symlink(&outside, project.content().join("linked.md")).unwrap();
    // A later edit shows the watcher has dealt with the link.
    project.write("content/bravo.md", &dossier("Bravo after the link"));
    server.wait_for(BRAVO, 200, "Bravo after the link");
    let r = server.get("/pilots/linked/index.html");
    assert_eq!(
        r.status, 404,
        "a clean build skips the link, so must a rebuild"
    );
    assert!(
        !server
            .get("/")
            .text()
            .contains("Outside the content folder")
    );
}

// ---------------------------------------------------------------- broken, then fixed

#[test]
fn a_broken_dossier_says_what_is_wrong_until_it_is_fixed() {
    let project = Project::live();
    let mut server = serve(&project);
    project.write("content/alpha.md", &broken_dossier("Alpha with a typo"));
    let page = server.wait_for(ALPHA, 200, "pilto");
    let text = page.text();
    assert!(
        text.contains("content/alpha.md:3:8"),
        "the page gives file, line and column:\n{text}"
    );
    assert!(
        text.contains("must be one of"),
        "the page says what is expected:\n{text}"
    );
    let status = server.wait_for_status("the status to list the error", |s| {
        error_locations(s).contains(&"content/alpha.md:3:8".to_string())
    });
    assert!(status.to_string().contains("pilto"), "{status}");

    project.write("content/alpha.md", &dossier("Alpha fixed again"));
    server.wait_for_status("the error to clear by itself", |s| {
        error_locations(s).is_empty()
    });
    let page = server.wait_for(ALPHA, 200, "Alpha fixed again");
    assert!(!page.text().contains("pilto"));
    server.assert_alive();
}

#[test]
fn a_broken_configuration_shows_in_status_until_it_is_fixed() {
    let project = Project::live();
    let mut server = serve(&project);
    let good = std::fs::read_to_string(project.root.join("pilotscope.toml")).unwrap();
    project.write("pilotscope.toml", &format!("{good}titel = \"Typo\"\n"));
    let status = server.wait_for_status("the configuration error", |s| {
        error_locations(s)
            .iter()
            .any(|l| l.starts_with("pilotscope.toml:"))
    });
    assert!(status.to_string().contains("titel"), "{status}");
    server.assert_alive();
    // The last good site is still served meanwhile.
    assert_eq!(server.get(ALPHA).status, 200);

    project.write(
        "pilotscope.toml",
        &format!("{good}title = \"Live preview, retitled\"\n")
            .replace("title = \"Live preview fixture\"\n", ""),
    );
    server.wait_for_status("the configuration error to clear", |s| {
        error_locations(s).is_empty()
    });
    server.wait_for("/", 200, "Live preview, retitled");
    // Still watching after the restart of the pipeline.
    project.write(
        "content/alpha.md",
        &dossier("Alpha after the configuration"),
    );
    server.wait_for(ALPHA, 200, "Alpha after the configuration");
}

#[test]
fn serve_starts_with_a_broken_configuration_and_builds_once_it_is_fixed() {
    let project = Project::live();
    let good = std::fs::read_to_string(project.root.join("pilotscope.toml")).unwrap();
    project.write("pilotscope.toml", &format!("{good}titel = \"Typo\"\n"));
    let mut server = serve(&project);
    let status = server.status();
    assert!(
        error_locations(&status)
            .iter()
            .any(|l| l.starts_with("pilotscope.toml:")),
        "{status}"
    );
    project.write("pilotscope.toml", &good);
    server.wait_for_status("the configuration error to clear", |s| {
        error_locations(s).is_empty()
    });
    server.wait_for(ALPHA, 200, "Alpha invoice reader");
    server.wait_for("/", 200, "Live preview fixture");
}

#[test]
fn a_broken_template_override_shows_in_status_until_it_is_fixed() {
    let project = Project::live();
    let mut server = serve(&project);
    // The project had no templates folder: it appears with a broken file.
    project.write(
        "templates/index.html",
        "<html><body>{% if %}</body></html>\n",
    );
    let status = server.wait_for_status("the template error", |s| {
        error_locations(s)
            .iter()
            .any(|l| l.starts_with("templates/index.html"))
    });
    assert!(!status["errors"].as_array().unwrap().is_empty());
    server.assert_alive();
    assert_eq!(
        server.get("/").status,
        200,
        "the last good index is still served"
    );

    project.write(
        "templates/index.html",
        "<!doctype html>\n<html><body><h1>Overridden: {{ page.site_title }}</h1></body></html>\n",
    );
    server.wait_for_status("the template error to clear", |s| {
        error_locations(s).is_empty()
    });
    server.wait_for("/", 200, "Overridden: Live preview fixture");
    std::fs::remove_file(project.root.join("templates/index.html")).unwrap();
    let port = server.port;
    server.poll("the shipped index to come back", || {
        (!live::get(port, "/").text().contains("Overridden:")).then_some(())
    });
}

// ---------------------------------------------------------------- what is served

#[test]
fn the_live_script_is_served_in_pages_but_never_written_to_disk() {
    let project = Project::live();
    let mut server = serve(&project);
    let tag = "<script src=\"/__pilotscope/live.js\" defer></script>";
    assert!(server.get("/").text().contains(tag));
    assert!(server.get(ALPHA).text().contains(tag));
    assert!(
        server.get("/no-such-page").text().contains(tag),
        "the 404 page reloads too"
    );
    assert!(
        !server
            .get("/assets/style.css")
            .text()
            .contains("__pilotscope"),
        "only HTML is touched"
    );
    project.write("content/alpha.md", &dossier("Alpha rebuilt while serving"));
    server.wait_for(ALPHA, 200, "Alpha rebuilt while serving");
    for (path, bytes) in live::tree(&project.site()) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("__pilotscope"),
            "{path} on disk mentions the dev server"
        );
    }
}

#[test]
fn pages_scripts_styles_and_data_have_sensible_types_and_are_never_cached() {
    let project = Project::live();
    let server = serve(&project);
    for (path, expected) in [
        ("/", "text/html"),
        (ALPHA, "text/html"),
        ("/assets/style.css", "text/css"),
        ("/assets/site.js", "javascript"),
        ("/report.json", "application/json"),
        ("/summary.csv", "text/csv"),
        ("/__pilotscope/live.js", "javascript"),
        ("/__pilotscope/live.css", "text/css"),
        ("/__pilotscope/status", "application/json"),
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 200, "{path}");
        let ct = r.header("content-type").unwrap_or_default();
        assert!(
            ct.contains(expected),
            "{path} is served as {ct:?}, expected {expected}"
        );
        assert_eq!(
            r.header("cache-control"),
            Some("no-store"),
            "{path} may be cached"
        );
        assert!(
            r.header("etag").is_none() && r.header("last-modified").is_none(),
            "{path} invites revalidation"
        );
    }
}

#[test]
fn a_missing_file_answers_404_with_the_sites_404_page() {
    let project = Project::live();
    let server = serve(&project);
    let r = server.get("/pilots/nobody/index.html");
    assert_eq!(r.status, 404);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(
        r.header("content-type")
            .unwrap_or_default()
            .starts_with("text/html")
    );
    let on_disk = std::fs::read_to_string(project.site().join("404.html")).unwrap();
    // The served page is the file with the dev server's scripts (live
    // reload, and the editor's) added.
    let served: String = r
        .text()
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("<script src=\"/__pilotscope/"))
        .collect();
    assert_eq!(served, on_disk, "the body is the site's 404 page");
}

#[test]
fn head_works_post_is_refused_and_folders_redirect_to_their_slash() {
    let project = Project::live();
    let server = serve(&project);
    let get = server.get(ALPHA);
    let head = live::request(server.port, "HEAD", ALPHA);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");
    assert!(
        head.header("content-type")
            .unwrap_or_default()
            .starts_with("text/html")
    );
    assert_eq!(get.status, 200);

    let post = live::request(server.port, "POST", ALPHA);
    assert_eq!(post.status, 405);
    assert!(post.header("allow").unwrap_or_default().contains("GET"));
    assert_eq!(
        live::request(server.port, "POST", "/__pilotscope/status").status,
        405
    );

    let r = server.get("/pilots/alpha");
    assert!(
        matches!(r.status, 301 | 302 | 307 | 308),
        "a folder without its slash answered {}",
        r.status
    );
    assert_eq!(r.header("location"), Some("/pilots/alpha/"));
    assert_eq!(server.get("/pilots/alpha/").status, 200);
    // A doubled slash must not turn the redirect into one to another host
    // (`//pilots/` is a scheme-relative address).
    let r = server.get("//pilots/alpha");
    if let Some(location) = r.header("location") {
        assert!(
            !location.starts_with("//"),
            "redirects to another host: {location}"
        );
    }
}

// ---------------------------------------------------------------- hostile requests

#[test]
fn traversal_attempts_never_reach_files_outside_the_site() {
    let project = Project::live();
    let server = serve(&project);
    let secret = "SECRET-4b1d-never-served";
    // Files a traversal would be after: beside the site, at the root, and
    // beside the project.
    std::fs::write(project.root.join("Cargo.toml"), secret).unwrap();
    std::fs::write(project.root.join("secret"), secret).unwrap();
    std::fs::write(project.beside("secret"), secret).unwrap();
    let site = project.site();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(project.root.join("secret"), site.join("leak.txt")).unwrap();
        std::os::unix::fs::symlink(&project.root, site.join("leakdir")).unwrap();
        std::os::unix::fs::symlink(project.root.join("secret"), site.join("pilots/leak.html"))
            .unwrap();
    }
    for path in [
        "/../Cargo.toml",
        "/../secret",
        "/../../secret",
        "/%2e%2e/",
        "/%2e%2e/Cargo.toml",
        "/%2e%2e%2f",
        "/%2e%2e%2fCargo.toml",
        "/..%2f",
        "/..%2fsecret",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/%2E%2E/%2E%2E/secret",
        "/pilots/..\\..\\secret",
        "/%5c..%5c",
        "/%5c..%5csecret",
        "/%00",
        "/index.html%00.css",
        "//etc/passwd",
        "//../secret",
        "/.pilotscope-files",
        "/pilots/./../../secret",
        "/%c0%ae%c0%ae/secret",
        "/leak.txt",
        "/leakdir/secret",
        "/leakdir/Cargo.toml",
        "/leakdir",
        "/leakdir/",
        "/pilots/leak.html",
    ] {
        let raw = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        match exchange(server.port, raw.as_bytes()).unwrap() {
            None => {}
            Some(r) => {
                assert!(
                    matches!(r.status, 400 | 404),
                    "{path} answered {}",
                    r.status
                );
                let body = r.text();
                assert!(!body.contains(secret), "{path} served the secret");
                assert!(!body.contains("root:x:0:0"), "{path} served /etc/passwd");
            }
        }
    }
    // Still serving normally.
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn malformed_requests_are_refused_and_the_server_keeps_answering() {
    let project = Project::live();
    let server = serve(&project);
    let big = "x".repeat(100 * 1024);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "garbage bytes",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\xff\xfe\r\n\r\n".to_vec(),
        ),
        ("a request line with no version", b"GET /\r\n\r\n".to_vec()),
        (
            "a header without a colon",
            b"GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n".to_vec(),
        ),
        (
            "a 100 KB header",
            format!(
                "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {big}\r\nConnection: close\r\n\r\n"
            )
            .into_bytes(),
        ),
        (
            "a 100 KB request line",
            format!("GET /{big} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").into_bytes(),
        ),
        (
            "a 1 MB header",
            format!(
                "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}\r\n\r\n",
                big.repeat(10)
            )
            .into_bytes(),
        ),
        (
            "a thousand headers",
            format!(
                "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n{}\r\n",
                "X-A: b\r\n".repeat(1000)
            )
            .into_bytes(),
        ),
        (
            "an unknown version",
            b"GET / HTTP/7.3\r\nHost: 127.0.0.1\r\n\r\n".to_vec(),
        ),
        (
            "a space in the path",
            b"GET /a b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(),
        ),
    ];
    for (what, raw) in cases {
        match exchange(server.port, &raw) {
            Ok(None) | Err(_) => {}
            Ok(Some(r)) => assert!(
                (400..500).contains(&r.status),
                "{what} answered {}",
                r.status
            ),
        }
        assert_eq!(
            server.get("/").status,
            200,
            "the server answers normally after {what}"
        );
    }
}

#[test]
fn two_hundred_concurrent_clients_are_all_answered() {
    let project = Project::live();
    let server = serve(&project);
    let port = server.port;
    let expected = server.get(ALPHA).body;
    let threads: Vec<_> = (0..200)
        .map(|i| {
            std::thread::spawn(move || {
                let path = if i % 2 == 0 { ALPHA } else { "/report.json" };
                let r = live::get(port, path);
                (path, r.status, r.body)
            })
        })
        .collect();
    for t in threads {
        let (path, status, body) = t.join().expect("client thread");
        assert_eq!(status, 200, "{path}");
        if path == ALPHA {
            assert_eq!(body, expected, "every client gets the whole page");
        }
    }
}

#[test]
fn clients_that_vanish_mid_request_do_not_break_the_server() {
    let project = Project::live();
    let mut server = serve(&project);
    let port = server.port;
    for i in 0..50 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let partial: &[u8] = match i % 5 {
            0 => b"",
            1 => b"GET /ind",
            2 => b"GET / HTTP/1.1\r\nHost: 127.0",
            3 => b"GET /pilots/alpha/index.html HTTP/1.1\r\nHost: x\r\n\r\n",
            _ => b"POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\nabc",
        };
        let _ = s.write_all(partial);
        drop(s);
    }
    // Event-stream clients that go away, some before any event.
    let mut gone = Vec::new();
    for _ in 0..20 {
        gone.push(Events::connect(port));
    }
    let keep = Events::connect(port);
    drop(gone);
    project.write(
        "content/alpha.md",
        &dossier("Alpha after the vanishing clients"),
    );
    server.wait_for(ALPHA, 200, "Alpha after the vanishing clients");
    let mut keep = keep;
    keep.wait_for(
        "the remaining client to hear of the rebuild",
        |_| {},
        |d| d.contains("pilots/alpha/index.html"),
    );
    for _ in 0..20 {
        assert_eq!(server.get("/").status, 200);
    }
}

// ---------------------------------------------------------------- listening

#[test]
fn listening_on_all_interfaces_warns() {
    let project = Project::live();
    let server = Running::serve(&project.root, &["--bind", "0.0.0.0"]);
    let stderr = server.stderr();
    assert!(
        stderr.contains("warning:"),
        "no warning about the network:\n{stderr}"
    );
    assert!(server.port != 0);
}

#[test]
fn a_port_already_in_use_exits_with_2_and_says_so() {
    let project = Project::live();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pilotscope"))
        .current_dir(&project.root)
        .args(["--as-of", live::AS_OF, "serve", "--port", &port])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("already in use") && stderr.contains(&port),
        "unclear message:\n{stderr}"
    );
    assert!(
        stderr.contains("--port"),
        "no hint at what to do:\n{stderr}"
    );
}

// ---------------------------------------------------------------- events

#[test]
fn an_edit_is_announced_over_server_sent_events() {
    let project = Project::live();
    let server = serve(&project);
    let mut events = Events::connect(server.port);
    project.write("content/teams/charlie.md", &dossier("Charlie announced"));
    let data = events.wait_for(
        "a message naming Charlie's page",
        |_| {},
        |d| d.contains("pilots/teams/charlie/index.html"),
    );
    let m: serde_json::Value = serde_json::from_str(&data).expect("messages are JSON");
    assert!(
        m["changed"].as_array().is_some() && m["errors"].as_array().is_some(),
        "{m}"
    );
}

#[test]
fn every_message_after_a_dossier_breaks_carries_its_error() {
    let project = Project::live();
    let server = serve(&project);
    let mut events = Events::connect(server.port);
    // Saved by rename, so that no half-written state is ever seen.
    let content = project.content();
    std::fs::write(
        content.join(".alpha.md.tmp"),
        broken_dossier("Alpha broken"),
    )
    .unwrap();
    std::fs::rename(content.join(".alpha.md.tmp"), content.join("alpha.md")).unwrap();
    // The dossier's own page is announced first, the rest after: a message
    // that names no error would hide the overlay in every open page.
    let mut without_error = Vec::new();
    events.wait_for(
        "the complete rebuild (it names the index)",
        |d| {
            if !d.contains("content/alpha.md:3:8") {
                without_error.push(d.to_string());
            }
        },
        |d| d.contains("\"index.html\""),
    );
    assert!(
        without_error.is_empty(),
        "messages that forget the error: {without_error:#?}"
    );
}

// ---------------------------------------------------------------- --config

/// `serve --config FILE` reads that file, not the root's pilotscope.toml,
/// and rebuilds when it changes, as `build --config` and `check --config` do.
#[test]
fn serve_reads_the_configuration_given_with_config_and_follows_its_changes() {
    let project = Project::live();
    project.write(
        "other.toml",
        "title = \"Portfolio from other.toml\"\noutput_dir = \"public\"\n",
    );
    let mut server = Running::serve(&project.root, &["--config", "other.toml"]);
    server.wait_for("/", 200, "Portfolio from other.toml");
    assert!(
        project.root.join("public/index.html").is_file(),
        "the site goes where other.toml says"
    );
    assert!(
        !project.site().exists(),
        "pilotscope.toml's output is not used"
    );
    project.write(
        "other.toml",
        "title = \"Retitled in other.toml\"\noutput_dir = \"public\"\n",
    );
    server.wait_for("/", 200, "Retitled in other.toml");
    // A change to the root's pilotscope.toml is none of this run's.
    project.write("pilotscope.toml", "title = \"Not this one\"\n");
    project.write("content/alpha.md", &dossier("Alpha after both"));
    server.wait_for(ALPHA, 200, "Alpha after both");
    assert!(!server.get("/").text().contains("Not this one"));
    server.assert_alive();
}

/// `watch --config FILE` with the file outside the project (`--root` names
/// the project): the file's folder is watched too.
#[test]
fn watch_reads_a_configuration_outside_the_project_and_follows_its_changes() {
    let project = Project::live();
    let elsewhere = project.beside("ci");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let config = elsewhere.join("pilots.toml");
    std::fs::write(&config, "title = \"Watched from ci\"\n").unwrap();
    let root = project.root.to_str().unwrap();
    let mut watcher = Running::start_in(
        &elsewhere,
        &["watch", "--root", root, "--config", "pilots.toml"],
        "watching for changes",
    );
    let index = project.site().join("index.html");
    assert!(
        std::fs::read_to_string(&index)
            .unwrap()
            .contains("Watched from ci")
    );
    std::fs::write(&config, "title = \"Rewatched from ci\"\n").unwrap();
    watcher.poll("watch to retitle the portfolio", || {
        std::fs::read_to_string(&index)
            .ok()
            .filter(|t| t.contains("Rewatched from ci"))
    });
}

// ---------------------------------------------------------------- watch

#[test]
fn watch_rebuilds_the_output_folder_on_an_edit() {
    let project = Project::live();
    let out = project.beside("out");
    let mut watcher = Running::watch(&project.root, &out);
    assert!(
        std::fs::read_to_string(out.join("pilots/alpha/index.html"))
            .unwrap()
            .contains("Alpha invoice reader")
    );
    project.write("content/alpha.md", &dossier("Alpha seen by watch"));
    watcher.poll("watch to rewrite Alpha's page", || {
        std::fs::read_to_string(out.join("pilots/alpha/index.html"))
            .ok()
            .filter(|t| t.contains("Alpha seen by watch"))
    });
    assert!(!project.site().exists(), "watch --output writes only there");
}

#[test]
fn refusals_and_redirects_are_never_cached_either() {
    let project = Project::live();
    let server = serve(&project);
    for (method, path, status) in [
        ("GET", "/%2e%2e/secret", 400),
        ("GET", "/pilots/alpha", 308),
        ("POST", ALPHA, 405),
    ] {
        let r = live::request(server.port, method, path);
        assert_eq!(r.status, status, "{method} {path}");
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }
}

#[test]
fn an_edit_that_changes_only_its_page_announces_that_page_once_and_not_the_index() {
    let project = Project::live();
    let mut server = serve(&project);
    let mut events = Events::connect(server.port);
    let alpha = std::fs::read_to_string(project.content().join("alpha.md")).unwrap();
    let rebuilds = |s: &str| s.matches("rebuilt ").count();
    let before = rebuilds(&server.stderr());
    // Only the story: the index, report and FAQ hold the same bytes as before.
    let story_only = alpha.replace("The reader runs beside", "The reader now runs beside");
    assert_ne!(story_only, alpha, "the fixture's story changed");
    project.write("content/alpha.md", &story_only);
    let mut seen = Vec::new();
    events.wait_for(
        "a message naming Alpha's page",
        |d| seen.push(d.to_string()),
        |d| d.contains("pilots/alpha/index.html"),
    );
    // The rebuild is complete (its line is printed after its last message).
    let deadline = std::time::Instant::now() + live::DEADLINE;
    while rebuilds(&server.stderr()) == before {
        server.assert_alive();
        assert!(
            std::time::Instant::now() < deadline,
            "the rebuild never ended:\n{}",
            server.stderr()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Then a change to another pilot's title: its page and the index are
    // named, after every message of the story edit.
    let bravo = std::fs::read_to_string(project.content().join("bravo.md")).unwrap();
    let title = bravo
        .lines()
        .find_map(|l| l.strip_prefix("title: "))
        .expect("bravo has a title")
        .to_string();
    project.write(
        "content/bravo.md",
        &bravo.replace(&title, &format!("{title} renamed")),
    );
    events.wait_for(
        "the message naming the index after Bravo's title changed",
        |d| seen.push(d.to_string()),
        |d| d.contains("\"index.html\""),
    );
    let story_messages: Vec<&String> = seen
        .iter()
        .take_while(|d| !d.contains("pilots/bravo/index.html"))
        .collect();
    assert!(
        story_messages.iter().all(|d| !d.contains("\"index.html\"")),
        "the story edit named the index, so an open index reloads on every edit: {story_messages:#?}"
    );
    let named = story_messages
        .iter()
        .filter(|d| d.contains("pilots/alpha/index.html"))
        .count();
    assert_eq!(
        named, 1,
        "the story edit named Alpha's page {named} times (a browser on it reloads each time): {story_messages:#?}"
    );
    assert!(
        server.stderr().contains("rebuilt 1 page in"),
        "the story edit rewrote more than its page:\n{}",
        server.stderr()
    );
}

// ---------------------------------------------------------------- issue 22, §4

#[test]
fn a_misspelled_key_reaches_the_overlay_as_a_warning_at_its_line() {
    let project = Project::live();
    let mut server = serve(&project);
    let text = dossier("Alpha with a slip").replacen(
        "---\n",
        "---\nframing:\n  exectuive_sponsor: CFO\n",
        1,
    );
    project.write("content/alpha.md", &text);
    server.wait_for(ALPHA, 200, "Alpha with a slip");
    let mut warnings = Vec::new();
    for _ in 0..100 {
        warnings = live::locations_of(&server.status(), "warning");
        if !warnings.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("content/alpha.md:3:")),
        "{warnings:?}"
    );
    assert!(error_locations(&server.status()).is_empty());
}
