/* modbusfn.h: the Modbus function codes gridledger sends, by name (Modbus
 * Application Protocol Specification V1.1b3, 6.1-6.6). A profile's register
 * sits behind READ_HOLDING or READ_INPUT; a relay is a coil or a holding
 * register. */
#ifndef GRIDLEDGER_MODBUSFN_H
#define GRIDLEDGER_MODBUSFN_H

typedef enum modbusfn {
    MODBUSFN_READ_COILS = 1,     /* 0x01 Read Coils */
    MODBUSFN_READ_HOLDING = 3,   /* 0x03 Read Holding Registers */
    MODBUSFN_READ_INPUT = 4,     /* 0x04 Read Input Registers */
    MODBUSFN_WRITE_COIL = 5,     /* 0x05 Write Single Coil */
    MODBUSFN_WRITE_REGISTER = 6, /* 0x06 Write Single Register */
} modbusfn;

#endif
