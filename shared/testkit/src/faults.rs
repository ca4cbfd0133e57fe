//! Components of a test's own that it may stop and start: a Kafka broker, a PostgreSQL
//! server, and a gate on the network path to a service. The shared local stack cannot be
//! restarted under the tests running beside a fault test, so a fault test starts these.

use std::net::{SocketAddr, TcpListener};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::task::{JoinHandle, JoinSet};

/// A loopback port nobody listens on right now.
///
/// # Panics
/// When the system has no free port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

fn wait_for_port(address: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(address).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not start at {address}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn state_dir(kind: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("carebook-{kind}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("create a state folder");
    dir
}

/// A Tansu broker of one test's own, with sqlite storage that survives its restarts; stopped
/// and its storage removed on drop. Needs `TANSU_BIN` (`localstack/stack.sh env`).
pub struct PrivateBroker {
    process: Option<Child>,
    address: String,
    state: PathBuf,
    authentication: bool,
}

impl PrivateBroker {
    /// Starts an open broker on a free port.
    ///
    /// # Panics
    /// When `TANSU_BIN` is unset or the broker does not start.
    pub fn start() -> Self {
        let mut broker = Self {
            process: None,
            address: format!("127.0.0.1:{}", free_port()),
            state: state_dir("kafka"),
            authentication: false,
        };
        broker.resume();
        broker
    }

    /// `host:port`, for `bootstrap.servers`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Stops the broker (SIGTERM) and waits until it has.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = Command::new("kill").arg(process.id().to_string()).status();
            let _ = process.wait();
        }
    }

    /// Starts the broker again on the same address and storage.
    ///
    /// # Panics
    /// When it does not start.
    pub fn resume(&mut self) {
        self.stop();
        let mut command = Command::new(tansu_bin());
        command
            .current_dir(&self.state)
            .args(["broker", "--storage-engine", "sqlite://kafka.db"])
            .args(["--listener-url", &format!("tcp://{}", self.address)])
            .args([
                "--advertised-listener-url",
                &format!("tcp://{}", self.address),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if self.authentication {
            command.arg("--authentication");
        }
        self.process = Some(command.spawn().expect("start the Tansu broker"));
        wait_for_port(&self.address, "the broker");
    }

    /// Restarts the broker so that it refuses clients without SASL credentials.
    pub fn require_authentication(&mut self) {
        self.authentication = true;
        self.resume();
    }

    /// Runs a `tansu` client command (`topic create …`, `user create …`) against the broker,
    /// retrying while it warms up; whether it succeeded.
    pub fn tansu(&self, args: &[&str]) -> bool {
        (0..20).any(|_| {
            let done = Command::new(tansu_bin())
                .args(args)
                .args(["--broker", &format!("tcp://{}", self.address)])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success());
            if !done {
                std::thread::sleep(Duration::from_millis(100));
            }
            done
        })
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.state);
    }
}

fn tansu_bin() -> String {
    std::env::var("TANSU_BIN").expect("TANSU_BIN (from localstack/stack.sh env)")
}

/// A PostgreSQL server of one test's own (Debian's server binaries, as the local stack's
/// cluster), trusting loopback; stopped and its data removed on drop.
pub struct PrivatePostgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
}

impl PrivatePostgres {
    /// Creates a cluster in a temporary folder and starts it on a free port.
    ///
    /// # Panics
    /// When no PostgreSQL server is installed or it does not start.
    pub fn start() -> Self {
        let root = state_dir("postgres");
        // PostgreSQL refuses to run as root; the local stack runs it as `postgres` too.
        if is_root() {
            run(Command::new("chown").args(["postgres:postgres"]).arg(&root));
        }
        let server = Self {
            bin: postgres_bin(),
            data: root.join("data"),
            port: free_port(),
        };
        run(server
            .as_owner(&server.bin.join("initdb"))
            .arg("-D")
            .arg(&server.data)
            .args(["--auth=trust", "--username=carebook", "--no-sync"]));
        server.resume();
        server
    }

    /// The server's URL for [`crate::TestDatabase::create_on`].
    pub fn url(&self) -> String {
        format!("postgres://carebook@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server at once, as a crash would: open connections are cut.
    pub fn stop(&self) {
        self.pg_ctl(&["stop", "-m", "immediate"]);
    }

    /// Starts the server again on the same port and data.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off",
            self.port
        );
        let log = self.data.with_file_name("server.log");
        self.pg_ctl(&["start", "-w", "-o", &options, "-l", &log.to_string_lossy()]);
        wait_for_port(&format!("127.0.0.1:{}", self.port), "PostgreSQL");
    }

    fn pg_ctl(&self, args: &[&str]) {
        run(self
            .as_owner(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(args));
    }

    fn as_owner(&self, program: &Path) -> Command {
        if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = self
            .as_owner(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(["stop", "-m", "immediate"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if let Some(root) = self.data.parent() {
            let _ = std::fs::remove_dir_all(root);
        }
    }
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The newest server under /usr/lib/postgresql, where Debian puts them.
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's server is installed (localstack/stack.sh tools)")
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort();
    versions.pop().expect("a PostgreSQL server version").1
}

fn run(command: &mut Command) {
    let output = command.output().expect("run a PostgreSQL command");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A TCP forwarder on a port of its own to `target`: while closed, connections to its port are
/// refused and those through it cut, as when the service behind it is down.
pub struct Gate {
    address: SocketAddr,
    target: SocketAddr,
    forwarding: Option<JoinHandle<()>>,
}

impl Gate {
    /// A closed gate to `target`.
    pub fn closed(target: SocketAddr) -> Self {
        Self {
            address: SocketAddr::from(([127, 0, 0, 1], free_port())),
            target,
            forwarding: None,
        }
    }

    /// `http://host:port` of the gate's side.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Listens and forwards every connection to the target.
    ///
    /// # Panics
    /// When the gate's port was taken meanwhile.
    pub async fn open(&mut self) {
        let listener = tokio::net::TcpListener::bind(self.address)
            .await
            .expect("the gate's port is free");
        let target = self.target;
        self.forwarding = Some(tokio::spawn(async move {
            // Dropped with the task, which aborts every connection still open.
            let mut connections = JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                connections.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }

    /// Stops listening and cuts the connections through the gate.
    pub fn close(&mut self) {
        if let Some(forwarding) = self.forwarding.take() {
            forwarding.abort();
        }
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.close();
    }
}
