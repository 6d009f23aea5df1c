/**
 * Internals of switchdev discovery: the classifier joining rtnetlink, sysfs and devlink facts,
 * the sysfs reader, the devlink and ethtool netlink codecs, and discovery over netlink. Not API.
 */
package org.offloadbridge.switchdev.internal;
