package io.transferpool.storage;

import java.nio.file.Path;

/** Where a job's field or a record's ref points: a file under the data root, or an object in an allowed bucket. */
public sealed interface Location {
    /** The string that names it in tasks and plans: a root-relative path, or the {@code s3://} URI. */
    String ref();

    record File(Path path, String ref) implements Location {
    }

    record StoredObject(ObjectUri uri) implements Location {
        @Override
        public String ref() {
            return uri.toString();
        }
    }
}
