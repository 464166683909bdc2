// Pulls in whole libraries (namespaces kept reachable) so the bundle holds several MB of code.
import * as THREE from 'three';
import * as _ from 'lodash-es';
import Chart from 'chart.js/auto';
import { initializeApp } from 'firebase/app';
import * as firestore from 'firebase/firestore';
import * as auth from 'firebase/auth';
import * as storage from 'firebase/storage';
import * as database from 'firebase/database';

const app = initializeApp({ projectId: 'bench-app' });
globalThis.__bench = { THREE, _, Chart, app, firestore, auth, storage, database };
const scene = new THREE.Scene();
scene.add(new THREE.Mesh(new THREE.BoxGeometry(1, 1, 1), new THREE.MeshNormalMaterial()));
new Chart(document.getElementById('chart'), { type: 'line', data: { labels: _.range(10), datasets: [{ data: _.shuffle(_.range(10)) }] } });
