//! `bec-usage sign` reproduces Baidu's worked example (which the official Python SDK
//! reproduces too, see `/work/shared/api/README.md` and the core's signing tests), prints
//! the canonical request, and never the secret; `completions` and every `--help`.

mod common;

use common::*;

const EXAMPLE_URL: &str =
    "http://bj.bcebos.com/v1/test/myfolder/readme.txt?partNumber=9&uploadId=a44cc9bab11cbd156984767aad637851";
const SECRET: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn sign(extra: &[&str]) -> (Option<i32>, String, String) {
    let output = run(bec_usage()
        .env("BCE_ACCESS_KEY_ID", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        .env("BCE_SECRET_ACCESS_KEY", SECRET)
        .args([
            "sign",
            "--method",
            "PUT",
            "--time",
            "2015-04-27T08:23:49Z",
            "--header",
            "Content-Type: text/plain",
            "--header",
            "Content-Length: 8",
            "--header",
            "Content-Md5: NFzcPqhviddjRNnSOGo4rw==",
            "--header",
            "Date: Mon, 27 Apr 2015 16:23:49 +0800",
            "--header",
            "x-bce-date: 2015-04-27T08:23:49Z",
        ])
        .args(extra)
        .arg(EXAMPLE_URL));
    parts(&output)
}

#[test]
fn the_documented_example_signs_to_the_documented_signature() {
    let (code, stdout, stderr) = sign(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    let first = stdout.lines().next().expect("a line");
    assert_eq!(
        first,
        "Authorization: bce-auth-v1/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/2015-04-27T08:23:49Z/1800/\
         content-length;content-md5;content-type;host;x-bce-date/\
         d74a04362e6a848f5b39b15421cb449427f419c95a480fd6b8cf9fc783e2999e"
    );
    assert!(
        stdout.contains(
            "\nPUT\n/v1/test/myfolder/readme.txt\npartNumber=9&uploadId=a44cc9bab11cbd156984767aad637851\n\
             content-length:8\ncontent-md5:NFzcPqhviddjRNnSOGo4rw%3D%3D\ncontent-type:text%2Fplain\n\
             host:bj.bcebos.com\nx-bce-date:2015-04-27T08%3A23%3A49Z\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("x-bce-date: 2015-04-27T08:23:49Z"),
        "{stdout}"
    );
    assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET));
    // The signing key of the example: derived from the secret, never printed.
    assert!(!stdout.contains("1d5ce5f464064cbee060330d973218821825ac6952368a482a592e6615aef479"));

    let (code, stdout, stderr) = sign(&["--signed-headers", "host;x-bce-date"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.starts_with(
            "Authorization: bce-auth-v1/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/2015-04-27T08:23:49Z/1800/host;x-bce-date/\
             1b8de5a23a56eef657c69f94c621e7acd227d049a4ba577f537d5e5cebf0cf32\n"
        ),
        "{stdout}"
    );
}

#[test]
fn bad_sign_input_is_exit_2() {
    for (extra, needle) in [
        (vec!["--time", "yesterday"], "--time"),
        (vec!["--expiration", "0"], "expiration"),
        (vec!["--signed-headers", "x-bce-date"], "host"),
    ] {
        let (code, _, stderr) = sign(&extra);
        assert_eq!(code, Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    let output = run(bec_usage().args(["sign", "https://bec.baidubce.com/v1/usage/computing"]));
    let (code, _, stderr) = parts(&output);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no keys"), "{stderr}");
}

#[test]
fn help_of_every_subcommand_has_examples_and_completions_are_printed() {
    for args in [
        vec!["--help"],
        vec!["fetch", "--help"],
        vec!["sign", "--help"],
        vec!["completions", "--help"],
    ] {
        let output = run(bec_usage().args(&args));
        let (code, stdout, stderr) = parts(&output);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(stdout.contains("EXAMPLES:"), "{args:?}: {stdout}");
    }
    let output = run(bec_usage().args(["fetch", "--help"]));
    let help = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "BCE_ACCESS_KEY_ID",
        "BCE_KEYS_FILE",
        "EXIT CODES",
        "--trust-user-header",
    ] {
        assert!(help.contains(needle), "{needle} in fetch --help");
    }
    for shell in ["bash", "zsh", "fish"] {
        let output = run(bec_usage().args(["completions", shell]));
        let (code, stdout, stderr) = parts(&output);
        assert_eq!(code, Some(0), "{shell}: {stderr}");
        assert!(
            stdout.contains("bec-usage") && stdout.contains("fetch"),
            "{shell}"
        );
    }
    let output = run(bec_usage().args(["completions", "tcsh"]));
    assert_eq!(output.status.code(), Some(2));
}
