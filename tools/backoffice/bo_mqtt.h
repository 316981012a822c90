/* bo_mqtt.h: the back office's MQTT client setup (libmosquitto, TLS). */
#ifndef BO_MQTT_H
#define BO_MQTT_H

#include <mosquitto.h>

#include "bo_cli.h"

#define BO_SHARE_GROUP "gl-ingest"
#define BO_INGEST_SUB "$share/" BO_SHARE_GROUP "/gl/v1/+/+" /* every up kind of every gateway */

/* bo_mqtt_connect: creates a client for cfg (MQTT 3.1.1, TLS unless
 * cfg->tls is 0, client id and clean session as given; NULL id = generated)
 * and connects synchronously. obj is the callbacks' user data. Prints the
 * error; NULL on failure. Call mosquitto_lib_init first. */
struct mosquitto *bo_mqtt_connect(const bo_config *cfg, const char *client_id, int clean, void *obj);

#endif
