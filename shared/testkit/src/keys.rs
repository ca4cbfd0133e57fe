use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

/// A freshly generated signing key with its `kid`, able to sign tokens and to describe itself
/// as a JWK. Keys live only in memory: nothing secret is checked in.
pub struct SigningKey {
    kid: String,
    algorithm: Algorithm,
    encoding: EncodingKey,
    public_pem: String,
}

impl SigningKey {
    /// Generates an RS256 (RSA 2048) or ES256 (P-256) key; other algorithms are not ones
    /// Keycloak signs access tokens with here.
    ///
    /// # Panics
    /// When asked for another algorithm, or when the system's randomness fails.
    pub fn generate(algorithm: Algorithm) -> Self {
        let (encoding, public_der) = match algorithm {
            Algorithm::RS256 => {
                let pair = KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
                let pkcs8 = pair.as_der().expect("RSA key encodes as PKCS#8");
                // jsonwebtoken takes RSA keys as PKCS#1; its PEM reader unwraps PKCS#8.
                let pem = pem("PRIVATE KEY", pkcs8.as_ref());
                let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).expect("RSA PEM parses");
                let public = pair.public_key().as_der().expect("RSA public key encodes");
                (encoding, public.as_ref().to_vec())
            }
            Algorithm::ES256 => {
                let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
                    .expect("P-256 key generation");
                let pkcs8 = pair.to_pkcs8v1().expect("P-256 key encodes as PKCS#8");
                let public = pair
                    .public_key()
                    .as_der()
                    .expect("P-256 public key encodes");
                (
                    EncodingKey::from_ec_der(pkcs8.as_ref()),
                    public.as_ref().to_vec(),
                )
            }
            other => panic!("the token forger signs with RS256 or ES256, not {other:?}"),
        };
        Self {
            kid: uuid::Uuid::new_v4().simple().to_string(),
            algorithm,
            encoding,
            public_pem: pem("PUBLIC KEY", &public_der),
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The public key as PEM, the bytes an algorithm-confusion attacker would use as an
    /// HMAC secret.
    pub fn public_pem(&self) -> &str {
        &self.public_pem
    }

    /// Signs `claims` with this key, naming it in the header's `kid`.
    pub fn sign(&self, claims: &impl Serialize) -> String {
        let mut header = Header::new(self.algorithm);
        header.kid = Some(self.kid.clone());
        self.sign_with_header(&header, claims)
    }

    /// Signs `claims` with this key under a header of the caller's choosing (`kid`, `typ`).
    pub fn sign_with_header(&self, header: &Header, claims: &impl Serialize) -> String {
        jsonwebtoken::encode(header, claims, &self.encoding).expect("signing with a generated key")
    }

    /// The public half as Keycloak publishes it: `kid`, `alg`, `use: sig`.
    pub fn jwk(&self) -> Jwk {
        let mut jwk = Jwk::from_encoding_key(&self.encoding, self.algorithm)
            .expect("a generated key describes itself as a JWK");
        jwk.common.key_id = Some(self.kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        jwk
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|line| std::str::from_utf8(line).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}
