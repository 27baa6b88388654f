//! S3-compatible object storage: Amazon S3, or MinIO, Ceph, Garage, moto... at an endpoint
//! of their own.

use object_store::ClientOptions;
use object_store::aws::AmazonS3Builder;
use paceline_domain::files::BlobError;
use paceline_domain::oauth::secret::Secret;

/// Where and how to reach an S3-compatible bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Config {
    /// The bucket (created beforehand).
    pub bucket: String,
    /// The service's URL without the bucket, e.g. `http://127.0.0.1:9000` for a local
    /// MinIO; `None` for Amazon S3 in `region`.
    pub endpoint: Option<String>,
    /// The region; `us-east-1` when unset (most other services accept any).
    pub region: Option<String>,
    /// The access key id; with the secret key, or neither (then the instance's role, from
    /// the EC2 metadata service, signs the requests).
    pub access_key_id: Option<String>,
    /// The secret access key.
    pub secret_access_key: Option<Secret>,
    /// Address the bucket as `https://BUCKET.host/key` (virtual-hosted style) instead of
    /// `https://host/BUCKET/key` (path style, the default, which every S3-compatible service
    /// understands).
    pub virtual_hosted_style: bool,
    /// A folder of the bucket to keep every key under (`paceline/`), so that one bucket
    /// can serve several installations.
    pub prefix: Option<String>,
    /// Whether a plain `http://` endpoint is allowed (a local MinIO or test server).
    pub allow_http: bool,
}

impl S3Config {
    /// The bucket and endpoint, for logs and `config check` (never the keys).
    pub fn describe(&self) -> String {
        let endpoint = self.endpoint.as_deref().unwrap_or("Amazon S3");
        let prefix = self.prefix.as_deref().unwrap_or("");
        format!("s3://{}/{prefix} at {endpoint}", self.bucket)
    }

    /// The object_store builder for this bucket.
    pub(crate) fn builder(&self) -> Result<AmazonS3Builder, BlobError> {
        if self.bucket.is_empty() {
            return Err(BlobError::Unavailable("the S3 bucket is not set".into()));
        }
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&self.bucket)
            .with_region(self.region.as_deref().unwrap_or("us-east-1"))
            .with_virtual_hosted_style_request(self.virtual_hosted_style)
            .with_client_options(ClientOptions::new().with_allow_http(self.allow_http));
        if let Some(endpoint) = &self.endpoint {
            builder = builder.with_endpoint(self.bucket_endpoint(endpoint)?);
        }
        match (&self.access_key_id, &self.secret_access_key) {
            (Some(id), Some(secret)) => {
                builder = builder
                    .with_access_key_id(id)
                    .with_secret_access_key(secret.expose());
            }
            (None, None) => {}
            _ => {
                return Err(BlobError::Unavailable(
                    "set both the S3 access key id and the secret access key, or neither".into(),
                ));
            }
        }
        Ok(builder)
    }

    /// object_store wants the bucket in the endpoint of a virtual-hosted bucket; the
    /// configuration names the service alone either way.
    pub(crate) fn bucket_endpoint(&self, endpoint: &str) -> Result<String, BlobError> {
        let endpoint = endpoint.trim_end_matches('/');
        let (scheme, host) = endpoint
            .split_once("://")
            .filter(|(scheme, host)| matches!(*scheme, "http" | "https") && !host.is_empty())
            .ok_or_else(|| {
                BlobError::Unavailable(format!(
                    "the S3 endpoint `{endpoint}` must start with https:// or http://"
                ))
            })?;
        if scheme == "http" && !self.allow_http {
            return Err(BlobError::Unavailable(format!(
                "the S3 endpoint `{endpoint}` is plain http: allow it with allow_http"
            )));
        }
        Ok(if self.virtual_hosted_style {
            format!("{scheme}://{}.{host}", self.bucket)
        } else {
            endpoint.to_owned()
        })
    }
}

/// rustls needs a process-wide crypto provider for object_store's HTTPS client: ring's,
/// which the database driver's TLS already builds (no C toolchain, unlike aws-lc-rs).
/// Installing it twice, or after someone else did, changes nothing.
pub(crate) fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
