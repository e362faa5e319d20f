package io.c2f.controller.store;

import io.c2f.proto.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a page of devices ends: the last row's sort value and id. Sorted by id it is the plain
 * device id (what {@code after} always was); in another order it is {@code base64url(sort:value)~id},
 * so the next page starts after that row even when other rows were added meanwhile. {@code ~} is
 * not a device id character, which tells the two forms apart.
 */
public record DeviceCursor(DeviceSort sort, String value, String id) {
    static final int MAX_LENGTH = 512;

    public DeviceCursor {
        if (!Topics.isValidId(id)) {
            throw new IllegalArgumentException("names device id '" + id + "', not 1-64 characters of [A-Za-z0-9_.-]");
        }
    }

    /** The cursor after this row in this order. */
    public static DeviceCursor after(DeviceSort sort, DeviceRecord last) {
        return new DeviceCursor(sort, sort.valueOf(last), last.id());
    }

    public String encode() {
        if (sort == DeviceSort.ID) {
            return id;
        }
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((sort.param() + ":" + value).getBytes(StandardCharsets.UTF_8)) + "~" + id;
    }

    /**
     * Reads a cursor for pages in {@code sort} order.
     *
     * @throws IllegalArgumentException saying what is wrong with it (the caller names the parameter)
     */
    public static DeviceCursor parse(DeviceSort sort, String text) {
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("is longer than " + MAX_LENGTH + " characters");
        }
        int tilde = text.indexOf('~');
        if (tilde < 0) {
            if (sort != DeviceSort.ID) {
                throw new IllegalArgumentException("is a device id, which continues only sort=id; pass the 'next' of the "
                        + "previous page");
            }
            return new DeviceCursor(sort, text, text);
        }
        String head;
        try {
            head = new String(Base64.getUrlDecoder().decode(text.substring(0, tilde)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not a cursor this API made (bad base64)");
        }
        int colon = head.indexOf(':');
        if (colon < 0 || !head.substring(0, colon).equals(sort.param())) {
            throw new IllegalArgumentException("is not a cursor of sort=" + sort.param());
        }
        String value = head.substring(colon + 1);
        if (sort.numeric()) {
            try {
                Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("carries '" + value + "', not an integer");
            }
        }
        return new DeviceCursor(sort, value, text.substring(tilde + 1));
    }
}
