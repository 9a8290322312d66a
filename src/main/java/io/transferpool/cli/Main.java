package io.transferpool.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import picocli.CommandLine;

import java.util.Arrays;
import java.util.Locale;

/**
 * The launcher. What the application opens while it starts (before the verb runs) is decided here, from the verb:
 * <ul>
 *   <li>the job service's Kafka channels ({@code tp.api.enabled}): {@code serve} with the coordinator role opens
 *   them, every other verb runs without (a {@code model inspect} must not start a broker);</li>
 *   <li>the HTTP server ({@code quarkus.http.host-enabled}): only {@code serve} listens; the one-shot verbs
 *   ({@code run}, {@code demo}, {@code advise}, {@code model}, {@code submit}, {@code cancel}) open no port, so
 *   several can run at once beside a {@code serve}.</li>
 * </ul>
 * Either key given explicitly (system property or environment) wins, e.g. {@code -Dquarkus.http.host-enabled=true
 * -Dquarkus.http.port=0} for a {@code run} whose health and metrics should be served.
 */
@QuarkusMain
public class Main implements QuarkusApplication {
    static final String API_ENABLED = "tp.api.enabled";
    static final String HTTP_ENABLED = "quarkus.http.host-enabled";

    @Inject
    CommandLine commandLine;

    public static void main(String... args) {
        boolean api = setUnlessGiven(API_ENABLED, "TP_API_ENABLED", servesTheApi(args, configuredRoles()));
        boolean http = setUnlessGiven(HTTP_ENABLED, "QUARKUS_HTTP_HOST_ENABLED", listens(args));
        try {
            Quarkus.run(Main.class, args);
        } finally {
            // a launcher in the same JVM (tests) starts from a clean slate
            if (api) {
                System.clearProperty(API_ENABLED);
            }
            if (http) {
                System.clearProperty(HTTP_ENABLED);
            }
        }
    }

    /** Sets {@code key} to {@code value} unless the user gave it; true when it was set here. */
    private static boolean setUnlessGiven(String key, String env, boolean value) {
        if (System.getProperty(key) != null || System.getenv(env) != null) {
            return false;
        }
        System.setProperty(key, String.valueOf(value));
        return true;
    }

    @Override
    public int run(String... args) {
        return commandLine.execute(args);
    }

    /** True for {@code serve} when the roles include the coordinator. */
    static boolean servesTheApi(String[] args, String roles) {
        return listens(args) && (roles == null || roles.toLowerCase(Locale.ROOT).contains("coordinator"));
    }

    /** True for {@code serve} (the first word that is not an option): the only verb with an HTTP server. */
    static boolean listens(String[] args) {
        return Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("").equals("serve");
    }

    /** tp.roles as given to this process (system property, then environment); null: the default, every role. */
    private static String configuredRoles() {
        String roles = System.getProperty("tp.roles");
        return roles != null ? roles : System.getenv("TP_ROLES");
    }
}
