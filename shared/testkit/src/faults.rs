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

/// An Apache Kafka node of one test's own (KRaft, broker and controller in one process, from
/// the local stack's jars and `localstack/kafka/server.properties`), with storage that survives
/// its restarts; stopped and its storage removed on drop. Needs `KAFKA_LIBS` and `KAFKA_JAVA`
/// (`localstack/stack.sh env`).
pub struct PrivateBroker {
    process: Option<Child>,
    address: String,
    state: PathBuf,
    security: Option<Scram>,
}

/// SASL/SCRAM-SHA-512 over TLS, as MSK offers it, with a self-signed certificate.
struct Scram {
    ca: PathBuf,
}

/// The user the broker's own connections to itself sign in as.
const BROKER_USER: (&str, &str) = ("broker", "broker-secret");
/// The password of the key and trust stores a secured broker makes.
const STORE_PASSWORD: &str = "carebook-test";

impl PrivateBroker {
    /// Starts an open (plaintext, unauthenticated) broker on a free port.
    ///
    /// # Panics
    /// When the broker does not start.
    pub fn start() -> Self {
        Self::with_state(state_dir("kafka"), None, &[])
    }

    /// Starts a broker that takes only SASL/SCRAM-SHA-512 over TLS, as MSK's SCRAM listener,
    /// and knows the SCRAM users `users` (name, password). Its certificate, for 127.0.0.1, is
    /// made for the test and signed by itself: [`PrivateBroker::ca_file`].
    ///
    /// # Panics
    /// When the certificate cannot be made or the broker does not start.
    pub fn start_scram_over_tls(users: &[(&str, &str)]) -> Self {
        let state = state_dir("kafka");
        let ca = make_certificate(&state);
        Self::with_state(state, Some(Scram { ca }), users)
    }

    fn with_state(state: PathBuf, security: Option<Scram>, users: &[(&str, &str)]) -> Self {
        let mut broker = Self {
            process: None,
            address: format!("127.0.0.1:{}", free_port()),
            state,
            security,
        };
        broker.write_properties(free_port());
        broker.format(users);
        broker.resume();
        broker
    }

    /// `host:port`, for `bootstrap.servers`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The PEM certificate a client trusts to reach a broker from
    /// [`PrivateBroker::start_scram_over_tls`].
    ///
    /// # Panics
    /// When the broker is a plaintext one.
    pub fn ca_file(&self) -> &Path {
        &self.security.as_ref().expect("a TLS broker").ca
    }

    /// Stops the broker as an operator does (SIGTERM: it flushes and closes its logs) and
    /// waits until it has.
    pub fn stop(&mut self) {
        self.signal("TERM");
    }

    /// Kills the broker (SIGKILL), as a crash or a lost machine would, and waits until it is
    /// gone: whatever it had not written to disk is lost.
    pub fn kill(&mut self) {
        self.signal("KILL");
    }

    fn signal(&mut self, signal: &str) {
        if let Some(mut process) = self.process.take() {
            let _ = Command::new("kill")
                .args([&format!("-{signal}"), &process.id().to_string()])
                .status();
            let _ = process.wait();
        }
    }

    /// Starts the broker again on the same address and storage, and waits until it answers.
    ///
    /// # Panics
    /// When it does not start.
    pub fn resume(&mut self) {
        self.stop();
        let log = std::fs::File::create(self.state.join("server.log")).expect("a broker log");
        let mut command = kafka_java();
        command
            .arg("-Xmx256m")
            .arg("kafka.Kafka")
            .arg(self.state.join("server.properties"))
            .stdout(log.try_clone().expect("a broker log"))
            .stderr(log);
        self.process = Some(command.spawn().expect("start the Kafka broker"));
        wait_for_port(&self.address, "the broker");
    }

    /// Creates `topic` with `partitions`, on a broker of either kind.
    ///
    /// # Panics
    /// When the broker refuses.
    pub async fn create_topic(&self, topic: &str, partitions: i32) {
        crate::kafka::create_topic_with(&self.client_config(), topic, partitions).await;
    }

    /// What a Kafka client needs to reach this broker: servers, and the broker's own SCRAM
    /// user over TLS for a secured one.
    fn client_config(&self) -> rdkafka::ClientConfig {
        let mut config = rdkafka::ClientConfig::new();
        config.set("bootstrap.servers", &self.address);
        if let Some(scram) = &self.security {
            config
                .set("security.protocol", "sasl_ssl")
                .set("sasl.mechanism", "SCRAM-SHA-512")
                .set("sasl.username", BROKER_USER.0)
                .set("sasl.password", BROKER_USER.1)
                .set("ssl.ca.location", scram.ca.to_string_lossy());
        }
        config
    }

    /// The project's node settings, with this broker's ports, storage and listener.
    fn write_properties(&self, controller_port: u16) {
        let mut properties = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../localstack/kafka/server.properties"
        ))
        .expect("read localstack/kafka/server.properties");
        // Later keys win in a Java properties file.
        let controller = format!("127.0.0.1:{controller_port}");
        let listener = if self.security.is_some() {
            "SASL_SSL"
        } else {
            "PLAINTEXT"
        };
        properties.push_str(&format!(
            "\nlog.dirs={}\ncontroller.quorum.voters=1@{controller}\n\
             listeners={listener}://{},CONTROLLER://{controller}\n\
             advertised.listeners={listener}://{}\ninter.broker.listener.name={listener}\n",
            self.state.join("data").display(),
            self.address,
            self.address,
        ));
        if self.security.is_some() {
            let stores = |kind: &str| {
                let file = self.state.join(format!("{kind}.p12"));
                format!(
                    "ssl.{kind}.location={}\nssl.{kind}.password={STORE_PASSWORD}\nssl.{kind}.type=PKCS12\n",
                    file.display()
                )
            };
            properties.push_str(&stores("keystore"));
            properties.push_str(&stores("truststore"));
            properties.push_str(&format!(
                "sasl.enabled.mechanisms=SCRAM-SHA-512\n\
                 sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512\n\
                 listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=\
                 org.apache.kafka.common.security.scram.ScramLoginModule required \
                 username=\"{}\" password=\"{}\";\n",
                BROKER_USER.0, BROKER_USER.1
            ));
        }
        std::fs::write(self.state.join("server.properties"), properties)
            .expect("write the broker's properties");
    }

    /// Formats the storage (KRaft needs a cluster id), with the SCRAM users a secured broker
    /// knows from its first start.
    fn format(&self, users: &[(&str, &str)]) {
        let mut command = kafka_java();
        command
            .arg("kafka.tools.StorageTool")
            // `=`: an id may start with `-` (1 in 64), which would read as an option.
            .arg("format")
            .arg(format!("--cluster-id={}", random_cluster_id()))
            .arg("-c")
            .arg(self.state.join("server.properties"));
        if self.security.is_some() {
            for (name, password) in users.iter().chain([&BROKER_USER]) {
                command.args([
                    "--add-scram",
                    &format!("SCRAM-SHA-512=[name={name},password={password}]"),
                ]);
            }
        }
        run(&mut command);
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.state);
    }
}

/// The JDK's `java` the local stack runs Kafka with (`KAFKA_JAVA`), or the one on PATH.
fn java() -> PathBuf {
    std::env::var_os("KAFKA_JAVA").map_or_else(|| PathBuf::from("java"), PathBuf::from)
}

/// Java with Kafka's jars on the class path.
fn kafka_java() -> Command {
    let libs = std::env::var("KAFKA_LIBS").expect("KAFKA_LIBS (from localstack/stack.sh env)");
    let mut command = Command::new(java());
    command.arg("-cp").arg(format!("{libs}/*")).arg(concat!(
        "-Dlog4j2.configurationFile=",
        env!("CARGO_MANIFEST_DIR"),
        "/../../localstack/kafka/log4j2.properties"
    ));
    command
}

/// A KRaft cluster id: 16 random bytes in URL-safe base64 without padding.
fn random_cluster_id() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes())
}

/// A self-signed certificate for 127.0.0.1 in `state`: the broker's key store, a trust store
/// holding the certificate (for the broker's connections to itself), and the certificate as
/// PEM for clients. Made with the JDK's keytool.
fn make_certificate(state: &Path) -> PathBuf {
    let keytool = |args: &[&str]| {
        let mut command = Command::new(java().with_file_name("keytool"));
        command.current_dir(state).args(args);
        run(&mut command);
    };
    let password = ["-storepass", STORE_PASSWORD];
    keytool(&[
        "-genkeypair",
        "-alias",
        "broker",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-keystore",
        "keystore.p12",
        "-storetype",
        "PKCS12",
        "-keypass",
        STORE_PASSWORD,
        password[0],
        password[1],
    ]);
    keytool(&[
        "-exportcert",
        "-rfc",
        "-alias",
        "broker",
        "-keystore",
        "keystore.p12",
        "-file",
        "ca.pem",
        password[0],
        password[1],
    ]);
    keytool(&[
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        "ca.pem",
        "-keystore",
        "truststore.p12",
        "-storetype",
        "PKCS12",
        password[0],
        password[1],
    ]);
    state.join("ca.pem")
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
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"));
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
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
