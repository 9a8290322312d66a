package io.transferpool.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every format users' folders hold, made by PIL (src/test/resources/images/make_format_fixtures.py), decodes to the
 * pixels PIL decodes: exactly for lossless formats, within what two JPEG or WebP decoders differ by for lossy ones.
 * Also EXIF orientation, applied only when asked.
 */
class ImageFormatsTest {
    private static final Path ROOT = Path.of("src/test/resources/images/formats");
    private static final JsonNode EXPECTED = read();

    private static JsonNode read() {
        try {
            return new ObjectMapper().readTree(Files.readString(ROOT.resolve("expected.json")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<String> files() {
        return StreamSupport.stream(((Iterable<String>) EXPECTED::fieldNames).spliterator(), false)
                .filter(n -> !n.startsWith("viewed:")).toList();
    }

    static List<String> oriented() {
        return files().stream().filter(n -> n.startsWith("oriented")).toList();
    }

    /** The decoded pixels in PIL's mode: grey as is, colour as RGB or RGBA (opaque where PIL has no alpha). */
    private static byte[] inMode(RawImage img, String mode) {
        int c = mode.equals("L") ? 1 : mode.equals("RGB") ? 3 : 4;
        assertThat(img.channels()).as("channels for mode %s", mode).isIn(c == 3 ? List.of(3, 4) : List.of(c));
        byte[] out = new byte[img.width() * img.height() * c];
        for (int p = 0, i = 0; p < img.width() * img.height(); p++) {
            for (int ch = 0; ch < c; ch++) {
                out[i++] = img.pixels()[p * img.channels() + ch];
            }
            if (img.channels() == 4 && c == 3) {
                assertThat(img.pixels()[p * 4 + 3] & 0xff).as("alpha of an image PIL sees as opaque").isEqualTo(255);
            }
        }
        return out;
    }

    private static void assertSame(String name, RawImage img, JsonNode want) {
        assertThat(img.width()).as(name + " width").isEqualTo(want.get("width").asInt());
        assertThat(img.height()).as(name + " height").isEqualTo(want.get("height").asInt());
        byte[] got = inMode(img, want.get("mode").asText());
        byte[] pil = Base64.getDecoder().decode(want.get("pixels").asText());
        assertThat(got).hasSameSizeAs(pil);
        if (!want.get("lossy").asBoolean()) {
            assertThat(got).as(name + ": a lossless format decodes to PIL's bytes").isEqualTo(pil);
            return;
        }
        double sum = 0;
        int max = 0;
        for (int i = 0; i < got.length; i++) {
            int d = Math.abs((got[i] & 0xff) - (pil[i] & 0xff));
            sum += d;
            max = Math.max(max, d);
        }
        // JPEG decoders differ in IDCT and chroma upsampling by a level or two. Lossy WebP more: libwebp (PIL)
        // upsamples chroma bilinearly, TwelveMonkeys' VP8 decoder does not, which on this small picture of hard
        // colour edges and noise comes to about 5.5 levels on average
        boolean webp = name.endsWith(".webp");
        assertThat(sum / got.length).as(name + ": mean absolute difference from PIL").isLessThan(webp ? 7.0 : 2.0);
        assertThat(max).as(name + ": largest difference from PIL").isLessThanOrEqualTo(webp ? 96 : 24);
    }

    @ParameterizedTest
    @MethodSource("files")
    void decodesAsPilDoes(String name) throws Exception {
        RawImage img = new ImageDecoder(ROOT).decode(name);
        assertSame(name, img, EXPECTED.get(name));
    }

    @ParameterizedTest
    @MethodSource("oriented")
    void exifOrientationTurnsTheImageOnlyWhenAsked(String name) throws Exception {
        ImageDecoder decoder = new ImageDecoder(ROOT);
        assertSame(name, decoder.decodeTimed(name, false).image(), EXPECTED.get(name));
        assertSame("viewed " + name, decoder.decodeTimed(name, true).image(), EXPECTED.get("viewed:" + name));
    }

    @org.junit.jupiter.api.Test
    void orientationIsReadFromEachContainer() throws Exception {
        for (String name : oriented()) {
            int want = Integer.parseInt(name.replaceAll("\\D", ""));
            assertThat(ExifOrientation.of(Files.readAllBytes(ROOT.resolve(name)))).as(name).isEqualTo(want);
        }
        assertThat(ExifOrientation.of(Files.readAllBytes(ROOT.resolve("baseline.jpg"))))
                .isEqualTo(ExifOrientation.AS_STORED);
    }
}
