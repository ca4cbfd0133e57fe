//! The floor of a cold start: the least a Lambda process can do before its first invocation,
//! one `GET /runtime/invocation/next` over a plain TCP connection, with nothing to set up.

use std::io::{Read, Write};
use std::net::TcpStream;

fn main() -> std::io::Result<()> {
    let api = std::env::var("AWS_LAMBDA_RUNTIME_API").map_err(std::io::Error::other)?;
    let mut stream = TcpStream::connect(&api)?;
    write!(
        stream,
        "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: {api}\r\n\r\n"
    )?;
    let mut answer = [0; 1];
    stream.read_exact(&mut answer)?;
    Ok(())
}
