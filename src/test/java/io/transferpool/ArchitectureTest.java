package io.transferpool;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package map of docs/architecture.md holds for the code: each package imports only what its row allows, the
 * roles import none of each other, and no packages import each other in a circle. Read from the sources' import
 * lines and fully qualified names outside comments, so it needs nothing but the source tree.
 */
class ArchitectureTest {
    static final Path MAIN = Path.of("src/main/java/io/transferpool");
    static final Path MAP = Path.of("docs/architecture.md");
    static final Set<String> ROLES = Set.of("coordinator", "extract", "train", "web");
    private static final Pattern USE = Pattern.compile("\\bio\\.transferpool\\.([a-z_]+)\\.");
    /** Block and line comments: a name in a comment is no import. */
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z_]+)` \\|.*\\| ([^|]+) \\|$");

    /** Package -> the packages of io.transferpool its main sources name (itself left out). */
    static Map<String, Set<String>> uses() throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = MAIN.relativize(f).getName(0).toString();
                Set<String> used = out.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = USE.matcher(COMMENT.matcher(Files.readString(f)).replaceAll(" "));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        used.add(m.group(1));
                    }
                }
            }
        }
        return out;
    }

    /** Package -> what its row in docs/architecture.md lets it import (null: anything). */
    static Map<String, Set<String>> allowed() throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        for (String line : Files.readAllLines(MAP)) {
            Matcher m = ROW.matcher(line.strip());
            if (m.matches()) {
                String may = m.group(2).strip();
                out.put(m.group(1), may.equals("anything") ? null : may.equals("nothing") ? Set.of()
                        : new TreeSet<>(List.of(may.replace("`", "").split("\\s+"))));
            }
        }
        return out;
    }

    @Test
    void everyPackageIsOnTheMapAndImportsOnlyWhatItsRowAllows() throws IOException {
        Map<String, Set<String>> uses = uses();
        Map<String, Set<String>> allowed = allowed();
        assertThat(allowed.keySet()).as("packages in docs/architecture.md").containsAll(uses.keySet());
        uses.forEach((pkg, used) -> {
            Set<String> may = allowed.get(pkg);
            if (may != null) {
                assertThat(used).as("what %s imports (docs/architecture.md allows %s)", pkg, may)
                        .isSubsetOf(may);
            }
        });
    }

    @Test
    void theRolesImportNoneOfEachOther() throws IOException {
        uses().forEach((pkg, used) -> {
            if (ROLES.contains(pkg)) {
                assertThat(used).as("roles %s imports", pkg).doesNotContainAnyElementsOf(ROLES);
            }
        });
    }

    @Test
    void noPackagesImportEachOtherInACircle() throws IOException {
        Map<String, Set<String>> uses = uses();
        for (String start : uses.keySet()) {
            Set<String> seen = new HashSet<>();
            Deque<String> todo = new ArrayDeque<>(uses.get(start));
            while (!todo.isEmpty()) {
                String p = todo.pop();
                assertThat(p).as("a package %s reaches by its imports", start).isNotEqualTo(start);
                if (seen.add(p)) {
                    todo.addAll(uses.getOrDefault(p, Set.of()));
                }
            }
        }
    }
}
