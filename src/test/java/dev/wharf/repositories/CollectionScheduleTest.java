package dev.wharf.repositories;

import static java.time.DayOfWeek.FRIDAY;
import static java.time.DayOfWeek.MONDAY;
import static java.time.DayOfWeek.SATURDAY;
import static java.time.DayOfWeek.SUNDAY;
import static java.time.DayOfWeek.WEDNESDAY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.accounts.NamespaceSettings.Schedule;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Weekly UTC schedules: the latest due time at or before now, and the next one after it. */
class CollectionScheduleTest {
    /** A Wednesday. */
    private static final Instant WEDNESDAY_NOON = Instant.parse("2026-12-02T12:00:00Z");

    private static Schedule at(String time, DayOfWeek... days) {
        return new Schedule(List.of(days), LocalTime.parse(time));
    }

    private static Optional<Instant> last(Instant now, Schedule... schedules) {
        return CollectionSchedule.lastDue(List.of(schedules), now);
    }

    private static Optional<Instant> next(Instant now, Schedule... schedules) {
        return CollectionSchedule.nextDue(List.of(schedules), now);
    }

    @Test
    void earlierTodayIsDueAndLaterTodayIsNext() {
        Schedule s = at("03:30", WEDNESDAY);
        assertThat(last(WEDNESDAY_NOON, s)).contains(Instant.parse("2026-12-02T03:30:00Z"));
        assertThat(next(WEDNESDAY_NOON, s)).contains(Instant.parse("2026-12-09T03:30:00Z"));

        Schedule evening = at("18:00", WEDNESDAY);
        assertThat(last(WEDNESDAY_NOON, evening)).as("a week ago, not today's time still to come")
                .contains(Instant.parse("2026-11-25T18:00:00Z"));
        assertThat(next(WEDNESDAY_NOON, evening)).contains(Instant.parse("2026-12-02T18:00:00Z"));
    }

    @Test
    void theScheduledMinuteItselfIsDueAndNotNext() {
        Schedule s = at("12:00", WEDNESDAY);
        assertThat(last(WEDNESDAY_NOON, s)).contains(WEDNESDAY_NOON);
        assertThat(next(WEDNESDAY_NOON, s)).contains(Instant.parse("2026-12-09T12:00:00Z"));
        assertThat(last(WEDNESDAY_NOON.minusNanos(1), s)).contains(Instant.parse("2026-11-25T12:00:00Z"));
        assertThat(next(WEDNESDAY_NOON.minusNanos(1), s)).contains(WEDNESDAY_NOON);
    }

    @Test
    void daysWrapAroundTheWeek() {
        Schedule weekend = at("23:59:30", SATURDAY, SUNDAY);
        Instant mondayMorning = Instant.parse("2026-12-07T00:10:00Z");
        assertThat(last(mondayMorning, weekend)).as("Sunday night, across the week's end")
                .contains(Instant.parse("2026-12-06T23:59:30Z"));
        assertThat(next(mondayMorning, weekend)).contains(Instant.parse("2026-12-12T23:59:30Z"));

        Schedule monday = at("00:00", MONDAY);
        Instant sundayNight = Instant.parse("2026-12-06T23:59:59Z");
        assertThat(last(sundayNight, monday)).contains(Instant.parse("2026-11-30T00:00:00Z"));
        assertThat(next(sundayNight, monday)).contains(Instant.parse("2026-12-07T00:00:00Z"));
        assertThat(last(Instant.parse("2026-12-07T00:00:00Z"), monday))
                .contains(Instant.parse("2026-12-07T00:00:00Z"));
    }

    @Test
    void everyDayIsDueTodayOrYesterday() {
        Schedule daily = at("13:00", DayOfWeek.values());
        assertThat(last(WEDNESDAY_NOON, daily)).contains(Instant.parse("2026-12-01T13:00:00Z"));
        assertThat(next(WEDNESDAY_NOON, daily)).contains(Instant.parse("2026-12-02T13:00:00Z"));
    }

    @Test
    void ofSeveralSchedulesTheLatestDueAndTheEarliestNextWin() {
        Schedule monday = at("06:00", MONDAY);
        Schedule friday = at("22:00", FRIDAY);
        Schedule wednesdayEvening = at("20:00", WEDNESDAY);
        assertThat(last(WEDNESDAY_NOON, monday, friday, wednesdayEvening))
                .contains(Instant.parse("2026-11-30T06:00:00Z"));
        assertThat(last(WEDNESDAY_NOON, friday, wednesdayEvening)).as("a week-old Wednesday loses to Friday")
                .contains(Instant.parse("2026-11-27T22:00:00Z"));
        assertThat(next(WEDNESDAY_NOON, monday, friday, wednesdayEvening))
                .contains(Instant.parse("2026-12-02T20:00:00Z"));
        assertThat(next(WEDNESDAY_NOON, friday, monday)).contains(Instant.parse("2026-12-04T22:00:00Z"));
    }

    @Test
    void aScheduleWithoutDaysNeverFallsDue() {
        Schedule none = at("01:00");
        assertThat(last(WEDNESDAY_NOON, none)).isEmpty();
        assertThat(next(WEDNESDAY_NOON, none)).isEmpty();
        assertThat(CollectionSchedule.lastDue(List.of(), WEDNESDAY_NOON)).isEmpty();
        assertThat(CollectionSchedule.nextDue(List.of(), WEDNESDAY_NOON)).isEmpty();
        assertThat(last(WEDNESDAY_NOON, none, at("01:00", WEDNESDAY)))
                .contains(Instant.parse("2026-12-02T01:00:00Z"));
    }

    @Test
    void theLastDueTimeIsAlwaysWithinTheWeekBefore() {
        Schedule s = at("07:15", FRIDAY);
        for (Instant now = Instant.parse("2026-12-01T00:00:00Z"); now.isBefore(Instant.parse("2026-12-16T00:00:00Z"));
                now = now.plusSeconds(3 * 3600 + 17)) {
            Instant due = last(now, s).orElseThrow();
            Instant upcoming = next(now, s).orElseThrow();
            assertThat(due).isBeforeOrEqualTo(now).isAfter(now.minusSeconds(7 * 86400 + 1));
            assertThat(upcoming).isAfter(now).isEqualTo(due.plusSeconds(7 * 86400));
        }
    }
}
