package dev.wharf.storage;

import java.util.Optional;

/**
 * The blob store in an S3 bucket: the shared blob logic ({@link ContentAddressedStore}) on the S3 driver. Any number
 * of nodes share one bucket; an upload begun on one continues on another, from the state saved beside it.
 */
public final class S3BlobStore extends ContentAddressedStore {

    private S3BlobStore(StorageDriver driver) {
        super(driver);
    }

    /**
     * Opens the store after checking that its bucket is there and answers.
     *
     * @throws IllegalStateException with one line saying what is wrong with the bucket
     */
    public static S3BlobStore open(S3Settings settings) {
        S3Driver driver = new S3Driver(settings);
        Optional<String> problem = driver.problem();
        if (problem.isPresent()) {
            driver.close();
            throw new IllegalStateException("S3 storage: " + problem.get()
                    + (settings.endpoint() == null ? "" : " at " + settings.endpoint()));
        }
        return new S3BlobStore(driver);
    }

    /** Over a driver that tests wrap (to count what it reads); the bucket is not checked. */
    static S3BlobStore over(StorageDriver driver) {
        return new S3BlobStore(driver);
    }

    static StorageDriver driver(S3Settings settings) {
        return new S3Driver(settings);
    }
}
