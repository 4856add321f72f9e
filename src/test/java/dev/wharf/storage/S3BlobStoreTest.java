package dev.wharf.storage;

import dev.wharf.testing.S3ProxyServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/** The contract on the S3 store, each test in a fresh bucket of a real S3 (S3Proxy). */
class S3BlobStoreTest extends BlobStoreContract {
    private static final List<S3BlobStore> OPENED = new ArrayList<>();

    @Override
    protected BlobStore newStore() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.shared();
        S3BlobStore opened = S3BlobStore.open(s3.settings(s3.newBucket()));
        OPENED.add(opened);
        return opened;
    }

    @AfterAll
    static void closeStores() throws Exception {
        for (S3BlobStore s : OPENED) {
            s.close();
        }
    }
}
