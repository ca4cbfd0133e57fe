// sqlx::migrate! embeds each service's migrations at compile time; without this, a new
// migration file alone would not rebuild the binary, and `make dev` would never apply it.
fn main() {
    for service in ["users", "appointments", "analytics", "notifications"] {
        println!("cargo:rerun-if-changed=../../functions/{service}/migrations");
    }
}
