package io.transferpool.job;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads typed fields out of one JSON object, collecting an error (with the field's full dotted path) for every
 * missing, mistyped or unknown field instead of stopping at the first, so a user sees all problems at once.
 */
final class FieldReader {
    private final JsonNode node;
    private final String path;
    private final List<FieldError> errors;

    FieldReader(JsonNode node, String path, List<FieldError> errors) {
        this.node = node;
        this.path = path;
        this.errors = errors;
    }

    String pathOf(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    void error(String name, String problem) {
        errors.add(new FieldError(pathOf(name), problem));
    }

    /** Reports every field not in {@code known}: a misspelt optional field would otherwise be silently ignored. */
    void rejectUnknown(Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                error(name, "unknown field (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private JsonNode present(String name, boolean required) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                error(name, "is required");
            }
            return null;
        }
        return value;
    }

    /** The names of this object's fields, in document order. */
    List<String> fieldNames() {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    String string(String name, String fallback, boolean required) {
        JsonNode v = present(name, required);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual()) {
            error(name, "expected a string, got " + describe(v));
            return fallback;
        }
        if (v.asText().isBlank()) {
            error(name, "must not be empty");
            return fallback;
        }
        return v.asText();
    }

    int integer(String name, int fallback, int min, int max) {
        JsonNode v = present(name, false);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            error(name, "expected an integer, got " + describe(v));
            return fallback;
        }
        int i = v.asInt();
        if (i < min || i > max) {
            error(name, "must be between " + min + " and " + max + ", got " + i);
            return fallback;
        }
        return i;
    }

    long longValue(String name, long fallback) {
        JsonNode v = present(name, false);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            error(name, "expected an integer, got " + describe(v));
            return fallback;
        }
        return v.asLong();
    }

    double number(String name, double fallback, double min, double max, boolean maxExclusive) {
        JsonNode v = present(name, false);
        if (v == null) {
            return fallback;
        }
        if (!v.isNumber()) {
            error(name, "expected a number, got " + describe(v));
            return fallback;
        }
        double d = v.asDouble();
        if (d < min || d > max || (maxExclusive && d == max) || Double.isNaN(d)) {
            error(name, "must be in [" + min + ", " + max + (maxExclusive ? ")" : "]") + ", got " + d);
            return fallback;
        }
        return d;
    }

    boolean bool(String name, boolean fallback) {
        JsonNode v = present(name, false);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean()) {
            error(name, "expected true or false, got " + describe(v));
            return fallback;
        }
        return v.asBoolean();
    }

    /** An enum given on the wire by a lower-case name; {@code wire} maps constants to their wire names. */
    <E extends Enum<E>> E choice(String name, Class<E> type, E fallback, boolean required, Function<E, String> wire) {
        String text = string(name, null, required);
        if (text == null) {
            return fallback;
        }
        for (E e : type.getEnumConstants()) {
            if (wire.apply(e).equalsIgnoreCase(text)) {
                return e;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            allowed.add(wire.apply(e));
        }
        error(name, "unknown value \"" + text + "\" (allowed: " + String.join(", ", allowed) + ")");
        return fallback;
    }

    <E extends Enum<E>> E choice(String name, Class<E> type, E fallback) {
        return choice(name, type, fallback, false, e -> e.name().toLowerCase(Locale.ROOT));
    }

    /** A nested object; null (with an error when required) if absent or not an object. */
    FieldReader object(String name, boolean required) {
        JsonNode v = present(name, required);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            error(name, "expected an object, got " + describe(v));
            return null;
        }
        return new FieldReader(v, pathOf(name), errors);
    }

    <T> List<T> list(String name, List<T> fallback, Function<JsonNode, T> element, String elementKind) {
        JsonNode v = present(name, false);
        if (v == null) {
            return fallback;
        }
        if (!v.isArray()) {
            error(name, "expected an array of " + elementKind + ", got " + describe(v));
            return fallback;
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            T t = element.apply(v.get(i));
            if (t == null) {
                errors.add(new FieldError(pathOf(name) + "[" + i + "]", "expected " + elementKind + ", got "
                        + describe(v.get(i))));
                return fallback;
            }
            out.add(t);
        }
        return List.copyOf(out);
    }

    static Integer asInt(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToInt() ? n.asInt() : null;
    }

    static Double asDouble(JsonNode n) {
        return n.isNumber() ? n.asDouble() : null;
    }

    static String asString(JsonNode n) {
        return n.isTextual() && !n.asText().isBlank() ? n.asText() : null;
    }

    private static String describe(JsonNode v) {
        String text = v.toString();
        if (text.length() > 40) {
            text = text.substring(0, 37) + "...";
        }
        return v.getNodeType().name().toLowerCase(Locale.ROOT) + " " + text;
    }
}
