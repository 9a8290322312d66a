package io.transferpool.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * The buckets and prefixes a pool may read and write ({@code tp.storage.allowed}): for objects what the data root
 * is for files. Empty: no object at all. Prefixes confine segment by segment, so {@code s3://data/train} allows
 * {@code s3://data/train/a.png} but not {@code s3://data/training/a.png}.
 */
public record AllowList(List<ObjectUri> prefixes) {
    public AllowList {
        prefixes = List.copyOf(prefixes);
    }

    /** From the configured entries; an entry that is not an {@code s3://} URI is an error naming it. */
    public static AllowList of(List<String> entries) {
        List<ObjectUri> out = new ArrayList<>();
        for (String e : entries) {
            String s = e.trim();
            if (s.isEmpty()) {
                continue;
            }
            try {
                out.add(ObjectUri.parse(s));
            } catch (ObjectUri.BadObjectUriException x) {
                throw new IllegalArgumentException("tp.storage.allowed: \"" + s + "\" " + x.getMessage());
            }
        }
        return new AllowList(out);
    }

    public boolean isEmpty() {
        return prefixes.isEmpty();
    }

    public boolean allows(ObjectUri uri) {
        return prefixes.stream().anyMatch(uri::isUnder);
    }

    /** Why {@code uri} is refused, in words for an error after the URI. */
    public String refusal() {
        return prefixes.isEmpty()
                ? "is not allowed: this pool reads no object storage (tp.storage.allowed is empty)"
                : "is outside the allowed buckets and prefixes " + prefixes + " (tp.storage.allowed)";
    }
}
