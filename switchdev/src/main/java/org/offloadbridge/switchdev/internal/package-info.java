/**
 * Internals of switchdev discovery: the classifier joining rtnetlink, sysfs and devlink facts,
 * the sysfs reader, and (later) the devlink and ethtool netlink codecs. Not API.
 */
package org.offloadbridge.switchdev.internal;
