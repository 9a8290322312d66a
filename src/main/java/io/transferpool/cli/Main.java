package io.transferpool.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import picocli.CommandLine;

import java.util.Arrays;
import java.util.Locale;

/**
 * The launcher. The job service's Kafka channels open while the application starts, before the verb runs, so the
 * verb decides beforehand whether there are any: {@code serve} with the coordinator role opens them, every other
 * verb runs without (a {@code model inspect} must not start a broker). An explicit {@code tp.api.enabled} wins.
 */
@QuarkusMain
public class Main implements QuarkusApplication {
    static final String API_ENABLED = "tp.api.enabled";

    @Inject
    CommandLine commandLine;

    public static void main(String... args) {
        boolean set = System.getProperty(API_ENABLED) == null && System.getenv("TP_API_ENABLED") == null;
        if (set) {
            System.setProperty(API_ENABLED, String.valueOf(servesTheApi(args, configuredRoles())));
        }
        try {
            Quarkus.run(Main.class, args);
        } finally {
            if (set) {
                System.clearProperty(API_ENABLED); // a launcher in the same JVM (tests) starts from a clean slate
            }
        }
    }

    @Override
    public int run(String... args) {
        return commandLine.execute(args);
    }

    /** True for {@code serve} (the first word that is not an option) when the roles include the coordinator. */
    static boolean servesTheApi(String[] args, String roles) {
        String verb = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
        return verb.equals("serve") && (roles == null || roles.toLowerCase(Locale.ROOT).contains("coordinator"));
    }

    /** tp.roles as given to this process (system property, then environment); null: the default, every role. */
    private static String configuredRoles() {
        String roles = System.getProperty("tp.roles");
        return roles != null ? roles : System.getenv("TP_ROLES");
    }
}
