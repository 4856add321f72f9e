package dev.wharf.repositories;

import dev.wharf.accounts.NamespaceSettings;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * When the weekly garbage collection schedules of namespaces (the IONOS {@code garbageCollectionSchedule}: days of
 * the week and a UTC time) fall due. Pure: the worker asks for the latest due time at or before now and runs a
 * collection when it is later than the last run a schedule started, so that a node that was down at the scheduled
 * minute still runs it once when it is back, and never twice for one due time.
 */
public final class CollectionSchedule {
    /** A weekly schedule repeats after this many days; one more covers a time later today than now. */
    private static final int WEEK = 7;

    private CollectionSchedule() {
    }

    /**
     * The latest instant at or before {@code now} at which one of the {@code schedules} was due; empty when none has
     * a day (a schedule with no days never falls due). The answer is always within the 7 days before {@code now}.
     */
    public static Optional<Instant> lastDue(List<NamespaceSettings.Schedule> schedules, Instant now) {
        Instant latest = null;
        for (NamespaceSettings.Schedule schedule : schedules) {
            Optional<Instant> due = lastDue(schedule, now);
            if (due.isPresent() && (latest == null || due.get().isAfter(latest))) {
                latest = due.get();
            }
        }
        return Optional.ofNullable(latest);
    }

    /**
     * The earliest instant after {@code now} at which one of the {@code schedules} falls due, for display; empty when
     * none has a day. The answer is always within the 7 days after {@code now}.
     */
    public static Optional<Instant> nextDue(List<NamespaceSettings.Schedule> schedules, Instant now) {
        Instant earliest = null;
        for (NamespaceSettings.Schedule schedule : schedules) {
            Optional<Instant> due = nextDue(schedule, now);
            if (due.isPresent() && (earliest == null || due.get().isBefore(earliest))) {
                earliest = due.get();
            }
        }
        return Optional.ofNullable(earliest);
    }

    /** The latest instant at or before {@code now} at which {@code schedule} was due; empty when it has no day. */
    public static Optional<Instant> lastDue(NamespaceSettings.Schedule schedule, Instant now) {
        if (schedule == null) {
            return Optional.empty();
        }
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        for (int back = 0; back <= WEEK; back++) {
            Optional<Instant> due = dueOn(schedule, today.minusDays(back));
            if (due.isPresent() && !due.get().isAfter(now)) {
                return due;
            }
        }
        return Optional.empty();
    }

    /** The earliest instant after {@code now} at which {@code schedule} falls due; empty when it has no day. */
    public static Optional<Instant> nextDue(NamespaceSettings.Schedule schedule, Instant now) {
        if (schedule == null) {
            return Optional.empty();
        }
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        for (int ahead = 0; ahead <= WEEK; ahead++) {
            Optional<Instant> due = dueOn(schedule, today.plusDays(ahead));
            if (due.isPresent() && due.get().isAfter(now)) {
                return due;
            }
        }
        return Optional.empty();
    }

    /** When {@code schedule} is due on {@code day} (UTC), if that is one of its days. */
    private static Optional<Instant> dueOn(NamespaceSettings.Schedule schedule, LocalDate day) {
        if (!schedule.days().contains(day.getDayOfWeek())) {
            return Optional.empty();
        }
        return Optional.of(day.atTime(schedule.time()).toInstant(ZoneOffset.UTC));
    }
}
