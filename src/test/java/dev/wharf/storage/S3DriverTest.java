package dev.wharf.storage;

import dev.wharf.testing.S3ProxyServer;

/** The driver contract on a real S3 (S3Proxy), each test in a fresh bucket, under a key prefix. */
class S3DriverTest extends StorageDriverContract {
    @Override
    protected StorageDriver newDriver() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.shared();
        S3Settings base = s3.settings(s3.newBucket());
        return S3BlobStore.driver(new S3Settings(base.endpoint(), base.region(), base.bucket(), "some/prefix",
                true, base.accessKey(), base.secretKey(), false));
    }
}
