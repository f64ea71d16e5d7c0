//! `bec-usage`: BEC usage on the command line (issue 24).

fn main() {}
