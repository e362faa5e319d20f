package io.c2f.controller.broker;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;

/** A CONNECT the broker refuses, with the CONNACK code it answers and why (never the password). */
final class LoginRefusedException extends Exception {
    private final transient MqttConnectReturnCode code;

    LoginRefusedException(MqttConnectReturnCode code, String why) {
        super(why, null, false, false);
        this.code = code;
    }

    MqttConnectReturnCode code() {
        return code;
    }
}
