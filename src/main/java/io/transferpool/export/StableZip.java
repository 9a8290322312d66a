package io.transferpool.export;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A zip rewritten with fixed entry times. DL4J's ModelSerializer stamps each entry with the clock, so the same
 * network saved twice differed byte for byte (and by digest) whenever the saves fell in different seconds.
 */
final class StableZip {
    /** 1980-01-01, the earliest time a zip entry holds. */
    private static final long EPOCH = 315532800000L;

    private StableZip() {
    }

    static byte[] of(byte[] zip) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(zip.length);
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip));
             ZipOutputStream z = new ZipOutputStream(out)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(EPOCH);
                z.putNextEntry(copy);
                in.transferTo(z);
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }
}
