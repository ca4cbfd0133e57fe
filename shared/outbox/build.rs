// sqlx::migrate! embeds the migrations at compile time; without this, a new migration file
// alone would not rebuild the crate, and the stale binary would never apply it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
