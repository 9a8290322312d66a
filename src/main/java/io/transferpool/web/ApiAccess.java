package io.transferpool.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * When {@code tp.api.token} or any {@code tp.api.owner-tokens.*} is set, POST and DELETE must carry
 * {@code Authorization: Bearer TOKEN} with one of them (401 otherwise); reads stay open. An owner's token also says
 * whom a submitted job is for ({@link #ownerOf}). Off by default, for a laptop; the cluster sets the token from a
 * Secret (k8s/).
 */
@ApplicationScoped // a client proxy: filters are made while the application is built, before its configuration
public class ApiAccess {
    @Inject
    ApiConfig api;

    @ServerRequestFilter
    public Optional<Response> requireToken(ContainerRequestContext request) {
        String method = request.getMethod();
        if (!method.equals("POST") && !method.equals("DELETE")) {
            return Optional.empty();
        }
        return allowed(api.token(), api.ownerTokens(), request.getHeaderString(HttpHeaders.AUTHORIZATION))
                ? Optional.empty()
                : Optional.of(Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"transferpool\"")
                .type(MediaType.TEXT_PLAIN).entity("this pool needs a bearer token to submit or cancel jobs\n")
                .build());
    }

    /** The owner whose token the header carries, if any: a job it submits is that owner's. */
    public Optional<String> ownerOf(String authorization) {
        return ownerOf(api.ownerTokens(), authorization);
    }

    static Optional<String> ownerOf(Map<String, String> ownerTokens, String authorization) {
        // Every token is compared (in constant time), so the time taken does not say which owner came close.
        String found = null;
        for (var e : new TreeMap<>(ownerTokens).entrySet()) {
            if (!e.getValue().isEmpty() && carries(e.getValue(), authorization) && found == null) {
                found = e.getKey();
            }
        }
        return Optional.ofNullable(found);
    }

    /** True when no token is set at all, or the header carries the pool's token or an owner's. */
    static boolean allowed(Optional<String> token, Map<String, String> ownerTokens, String authorization) {
        boolean any = token.filter(t -> !t.isEmpty()).isPresent()
                || ownerTokens.values().stream().anyMatch(t -> !t.isEmpty());
        if (!any) {
            return true;
        }
        return token.filter(t -> !t.isEmpty()).map(t -> carries(t, authorization)).orElse(false)
                | ownerOf(ownerTokens, authorization).isPresent();
    }

    /** True when no token is configured, or the header carries it (compared in constant time). */
    static boolean check(Optional<String> token, String authorization) {
        return allowed(token, Map.of(), authorization);
    }

    private static boolean carries(String token, String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }
}
